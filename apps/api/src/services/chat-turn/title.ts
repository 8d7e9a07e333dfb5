import {
  type ConversationRow,
  claimTitleRequest,
  type Database,
  insertUsageEvent,
  setGeneratedTitle,
} from '@parley/db'
import { generateTitle, type Router } from '@parley/llm'
import { safeError } from '../../errors.ts'
import { usageEvent } from './outcome.ts'
import type { PreparedTurn, TurnContext } from './turn-types.ts'

export interface TitleDeps {
  db: Database
  router: Router
  /** How long `done` waits for the title; the title is still stored when it comes later. */
  titleWaitMs: number
}

/**
 * Names the conversation from its first exchange, at most once per conversation (a failed or
 * refused title is not asked for again); waits a little so that `done` carries it.
 */
export async function titleWithin(
  deps: TitleDeps,
  ctx: TurnContext,
  turn: PreparedTurn,
  replyText: string,
  conversation: ConversationRow,
): Promise<ConversationRow> {
  const titled = nameConversation(deps, ctx, turn, replyText).catch((error: unknown) => {
    ctx.logger.warn({ err: safeError(error) }, 'title generation')
    return null
  })
  const timer = new Promise<null>((resolve) => setTimeout(resolve, deps.titleWaitMs, null).unref())
  return (await Promise.race([titled, timer])) ?? conversation
}

async function nameConversation(
  deps: TitleDeps,
  ctx: TurnContext,
  turn: PreparedTurn,
  replyText: string,
): Promise<ConversationRow | null> {
  const claimed = await deps.db.withUser(ctx.claims, (tx) =>
    claimTitleRequest(tx, turn.conversation.id),
  )
  if (!claimed) return null
  const { title, report } = await generateTitle({
    router: deps.router,
    userMessage: turn.userMessage.content,
    assistantReply: replyText,
    signal: AbortSignal.timeout(30_000),
    requestId: ctx.requestId,
  })
  return deps.db.withUser(ctx.claims, async (tx) => {
    if (report) {
      await insertUsageEvent(
        tx,
        usageEvent(report, report.requestedModel, ctx.requestId, {
          conversationId: turn.conversation.id,
          messageId: null,
        }),
      )
    }
    return setGeneratedTitle(tx, turn.conversation.id, title)
  })
}
