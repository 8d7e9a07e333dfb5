import type { Context } from '@opentelemetry/api'
import type { Tx } from '@parley/db'
import type { RouterRequest, RouterStream } from '@parley/llm'
import { buildTurnRequest, type TurnModelRequest } from './build-request.ts'
import { inTurnStep, streamStep } from './turn-spans.ts'
import type { TurnSteps } from './turn-steps.ts'
import type { Admission, ContextPassage, PreparedTurn, TurnContext } from './turn-types.ts'

/** What the call starts with: the turn's abort signal and the trace its spans belong to. */
export interface CallStart {
  signal: AbortSignal
  parent: Context
}

export interface OpenedCall {
  call: RouterStream
  /** History messages left out to fit the model's context window. */
  droppedMessages: number
  /** The passages the model was given (those that fitted), cited as `[n]` in this order. */
  passages: ContextPassage[]
}

/**
 * The **context** step and the start of the provider call. The turn runs it inside the prepare
 * transaction, so the provider's first byte is awaited while the transaction commits; the
 * reply's events are only read once the commit has made the user's message durable. `base` is
 * the request without passages, already admitted: when passages are added, the admissions are
 * asked again with the request the model will get.
 */
export async function openCall(
  steps: TurnSteps,
  ctx: TurnContext,
  turn: PreparedTurn,
  { signal, parent }: CallStart,
  tx: Tx,
  { base, admissions }: { base: TurnModelRequest; admissions: readonly Admission[] },
): Promise<OpenedCall> {
  const { request, droppedMessages, passages } = await inTurnStep(ctx, 'context', async () => {
    // One after the other: the steps share the transaction, which runs one statement at a time.
    const passages: ContextPassage[] = []
    for (const step of steps.context) passages.push(...(await step(tx, ctx, turn)))
    if (passages.length === 0) return base
    const built = buildTurnRequest(turn, {
      models: steps.models.models,
      today: steps.today(),
      passages,
    })
    for (const admission of admissions) await admission.admitContext?.(tx, built.request)
    return built
  })
  const admitModel = everyAdmission(admissions)
  const call = streamStep(ctx, parent, () =>
    steps.router.stream(
      { ...request, requestId: ctx.requestId, ...(admitModel ? { admitModel } : {}) },
      signal,
    ),
  )
  return { call, droppedMessages, passages }
}

/** Each admission's word on the next model, in order: the first refusal ends the call. */
function everyAdmission(admissions: readonly Admission[]): RouterRequest['admitModel'] {
  const checks = admissions.flatMap((admission) =>
    admission.admitModel ? [admission.admitModel] : [],
  )
  if (checks.length === 0) return undefined
  return async (next) => {
    for (const check of checks) {
      const refusal = await check(next)
      if (refusal) return refusal
    }
    return null
  }
}
