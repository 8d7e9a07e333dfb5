import { type Database, getConversation, getMessage } from '@parley/db'
import { notFound } from '../../errors.ts'
import { type LiveTurns, onAbort } from './live-turns.ts'
import { endError, stoppedError, turnUsage } from './outcome.ts'
import type { ReplayedTurn, Turn, TurnContext, TurnEnd } from './turn-types.ts'

/**
 * A send repeated with the same id: follows the reply live when this process is streaming it,
 * otherwise reads it back as stored. Never calls a model.
 */
export function replayTurn(
  db: Database,
  live: LiveTurns,
  ctx: TurnContext,
  replayed: ReplayedTurn,
  reattachGraceMs: number,
): Turn {
  return {
    ...replayed,
    run: (signal, onDelta, options) => {
      const replyId = replayed.assistantMessage.id
      const followed = live.follow(replyId, onDelta)
      if (!followed) return readBack(db, ctx, replayed, onDelta)
      onAbort(signal, () =>
        live.leave(replyId, onDelta, options?.mayReattach ? reattachGraceMs : 0),
      )
      return followed
    },
  }
}

async function readBack(
  db: Database,
  ctx: TurnContext,
  replayed: ReplayedTurn,
  onDelta: (text: string) => void,
): Promise<TurnEnd> {
  const { message, conversation } = await db.withUser(ctx.claims, async (tx) => ({
    message: await getMessage(tx, replayed.assistantMessage.id),
    conversation: await getConversation(tx, replayed.assistantMessage.conversationId),
  }))
  if (!message || !conversation) throw notFound('message')
  if (message.content) onDelta(message.content)
  return {
    assistantMessage: message,
    conversation,
    usage: turnUsage(
      {
        inputTokens: message.inputTokens ?? 0,
        outputTokens: message.outputTokens ?? 0,
        cachedInputTokens: message.cachedInputTokens ?? 0,
      },
      message.costMicroUsd,
    ),
    error:
      message.status === 'streaming'
        ? { code: 'conflict', message: 'this reply is still being written elsewhere' }
        : message.error && message.error.code !== stoppedError.code
          ? endError(message.error)
          : null,
    saved: message.status !== 'streaming',
  }
}
