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
import type { CallHold, PreparedTurn, TurnContext } from './turn-types.ts'

export interface TitleDeps {
  db: Database
  router: Router
  /** How long `done` waits for the title; the title is still stored when it comes later. */
  titleWaitMs: number
  /** What the title call holds while it runs (its budget reservation; none without a limit). */
  titleHold: ((ctx: TurnContext, turn: PreparedTurn) => CallHold | undefined) | undefined
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
  const hold = deps.titleHold?.(ctx, turn)
  try {
    const { title, report } = await generateTitle({
      router: deps.router,
      userMessage: turn.userMessage.content,
      assistantReply: replyText,
      signal: AbortSignal.timeout(30_000),
      requestId: ctx.requestId,
      ...(hold ? { admitModel: hold.admitModel } : {}),
    })
    return await deps.db.withUser(ctx.claims, async (tx) => {
      // A title the budget refused before any model was asked cost nothing: no usage row.
      if (report && !(report.error?.code === 'refused' && report.attemptCount === 0)) {
        await insertUsageEvent(
          tx,
          usageEvent(report, report.requestedModel, ctx.requestId, {
            conversationId: turn.conversation.id,
            messageId: null,
          }),
        )
      }
      await hold?.settle(tx)
      return setGeneratedTitle(tx, turn.conversation.id, title)
    })
  } catch (error) {
    if (hold) await deps.db.withUser(ctx.claims, (tx) => hold.settle(tx)).catch(() => undefined)
    throw error
  }
}
