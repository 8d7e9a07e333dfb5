import { isDeepStrictEqual } from 'node:util'
import type { RouterRequest, RouterStream } from '@parley/llm'
import { buildTurnRequest } from './build-request.ts'
import type { CallStart } from './open-call.ts'
import { streamStep } from './turn-spans.ts'
import type { TurnSteps } from './turn-steps.ts'
import type { Admission, TurnContext, TurnRequest } from './turn-types.ts'

/**
 * A model call started before its turn was prepared, from the thread this process holds. The
 * turn keeps it only when the request built from the stored history is the same and no
 * admission held anything for the turn; otherwise it is stopped before any of it is read.
 */
export interface EarlyCall {
  /**
   * The call, if it is the one `request` asks for and every admission waived the turn; else it
   * is stopped (see `discard`) and the turn makes its own.
   */
  claim(request: RouterRequest, admissions: readonly Admission[]): RouterStream | undefined
  /**
   * Stops the call (the turn was refused, replayed or failed): nothing of it is read, and the
   * thread is no longer held, so the next send there waits for the stored one.
   */
  discard(): void
}

/**
 * Starts a send's call at once when this process holds its thread (the send names the reply it
 * stored last) and the turn would be admitted without a hold (`steps.mayCallEarly`); the first
 * token still waits for the prepare transaction's commit, as with any call.
 */
export function startEarlyCall(
  steps: TurnSteps,
  ctx: TurnContext,
  request: TurnRequest,
  start: CallStart & { tokenCount: number },
): EarlyCall | undefined {
  const held = steps.held
  if (!held || request.kind !== 'send') return undefined
  let model: string | null = null
  try {
    model = request.model ? steps.models.resolve(request.model) : null
  } catch {
    // A model that is not offered: `begin_turn`'s preparation refuses it.
    return undefined
  }
  const likely = held.likelyTurn(ctx.claims.sub, request, {
    tokenCount: start.tokenCount,
    model,
  })
  if (!likely || !steps.mayCallEarly(likely)) return undefined
  const { request: built } = buildTurnRequest(likely, {
    models: steps.models.models,
    today: steps.today(),
    passages: [],
  })
  const stop = new AbortController()
  const signal = AbortSignal.any([start.signal, stop.signal])
  const call = streamStep(ctx, start.parent, () =>
    steps.router.stream({ ...built, requestId: ctx.requestId }, signal),
  )
  let settled = false
  const discard = () => {
    if (settled) return
    settled = true
    stop.abort()
    steps.onEarlyCall('stopped')
    held.forget(request.conversationId)
  }
  return {
    claim(wanted, admissions) {
      if (!settled && admissions.every((a) => a.waived) && isDeepStrictEqual(wanted, built)) {
        settled = true
        steps.onEarlyCall('kept')
        return call
      }
      if (!settled) ctx.logger.debug('early call stopped: the turn differs from the held thread')
      discard()
      return undefined
    },
    discard,
  }
}
