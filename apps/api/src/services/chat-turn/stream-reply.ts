import { type Database, updateMessage } from '@parley/db'
import type { CallReport, RouterStream } from '@parley/llm'
import { safeError } from '../../errors.ts'
import type { LiveReply } from './live-turns.ts'
import type { PreparedTurn, TurnContext } from './turn-types.ts'

export interface StreamReplyDeps {
  db: Database
  /** Minimum time between progress writes of a streaming reply. */
  progressIntervalMs: number
}

/**
 * The **stream** step: reads the router's call, hands each piece of text to the live reply's readers,
 * and writes the text so far at most once per interval (a crash mid-reply loses at most that
 * much, never one write per token). Resolves with the router's report once the call is over.
 */
export async function streamReply(
  deps: StreamReplyDeps,
  ctx: TurnContext,
  turn: PreparedTurn,
  call: RouterStream,
  reply: LiveReply,
): Promise<CallReport> {
  let lastWrite = performance.now()
  let writing: Promise<void> | null = null
  for await (const event of call.events) {
    if (event.type !== 'text') continue
    reply.append(event.text)
    const now = performance.now()
    if (!writing && now - lastWrite >= deps.progressIntervalMs) {
      lastWrite = now
      const content = reply.text
      writing = deps.db
        .withUser(ctx.claims, (tx) => updateMessage(tx, turn.assistantMessage.id, { content }))
        .then(
          () => undefined,
          (error: unknown) => ctx.logger.warn({ err: safeError(error) }, 'progress write'),
        )
        .finally(() => {
          writing = null
        })
    }
  }
  const report = await call.result
  await writing
  return report
}
