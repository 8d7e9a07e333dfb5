import type { Context } from '@opentelemetry/api'
import type { Tx } from '@parley/db'
import type { RouterRequest, RouterStream } from '@parley/llm'
import { safeError } from '../../errors.ts'
import { buildTurnRequest, type TurnModelRequest } from './build-request.ts'
import type { EarlyCall } from './early-call.ts'
import { inTurnStep, streamStep } from './turn-spans.ts'
import type { TurnSteps } from './turn-steps.ts'
import type {
  Admission,
  ContextPassage,
  DeferredContext,
  PreparedTurn,
  ReadAsCaller,
  TurnContext,
} from './turn-types.ts'

/** What the call starts with: the turn's abort signal and the trace its spans belong to. */
export interface CallStart {
  signal: AbortSignal
  parent: Context
  /** A call already started from the held thread: taken instead of a new one when it is the same. */
  early?: EarlyCall | undefined
}

export interface OpenedCall {
  call: RouterStream
  /** History messages left out to fit the model's context window. */
  droppedMessages: number
  /** The passages the model was given (those that fitted), cited as `[n]` in this order. */
  passages: ContextPassage[]
}

/** A call whose context is still being read: `open` reads it and starts the call. */
export interface DeferredCall {
  deferred: true
  /** Runs after the prepare transaction committed; never throws for want of passages. */
  open(read: ReadAsCaller): Promise<OpenedCall>
}

/**
 * The **context** step and the start of the provider call. The turn runs it inside the prepare
 * transaction, so the provider's first byte is awaited while the transaction commits; the
 * reply's events are only read once the commit has made the user's message durable. When a
 * context step would have to wait (for an embedding), the call is opened after the commit
 * instead, so that no transaction waits. `base` is the request without passages, already
 * admitted: when passages are added, the admissions are asked again with the request the model
 * will get, in the transaction that read them (a refusal then ends the turn before any call).
 */
export async function openCall(
  steps: TurnSteps,
  ctx: TurnContext,
  turn: PreparedTurn,
  start: CallStart,
  tx: Tx,
  admitted: Admitted,
): Promise<OpenedCall | DeferredCall> {
  const gathered = await inTurnStep(ctx, 'context', async () => {
    // One after the other: the steps share the transaction, which runs one statement at a time.
    const found: (ContextPassage[] | DeferredContext)[] = []
    for (const step of steps.context) found.push(await step(tx, ctx, turn))
    return found
  })
  if (gathered.every((part) => Array.isArray(part))) {
    const built = await withPassages(steps, turn, tx, admitted, gathered.flat())
    return startCall(steps, ctx, start, admitted.admissions, built)
  }
  return {
    deferred: true,
    async open(read) {
      const passages = await inTurnStep(ctx, 'context', async () => {
        const parts: ContextPassage[][] = []
        for (const part of gathered) {
          parts.push(Array.isArray(part) ? part : await readLater(ctx, part, read))
        }
        return parts.flat()
      })
      const built = await read((later) => withPassages(steps, turn, later, admitted, passages))
      return startCall(steps, ctx, start, admitted.admissions, built)
    },
  }
}

async function readLater(
  ctx: TurnContext,
  part: DeferredContext,
  read: ReadAsCaller,
): Promise<ContextPassage[]> {
  try {
    return await part.later(read)
  } catch (error) {
    ctx.logger.warn({ err: safeError(error) }, 'context failed: answering without passages')
    return []
  }
}

/** The request without passages, and the admissions it passed. */
export interface Admitted {
  base: TurnModelRequest
  admissions: readonly Admission[]
}

/**
 * The request the model will get: `base` when there are no passages; otherwise rebuilt with them
 * and admitted again in `tx` (an `AppError` refuses it).
 */
async function withPassages(
  steps: TurnSteps,
  turn: PreparedTurn,
  tx: Tx,
  { base, admissions }: Admitted,
  passages: ContextPassage[],
): Promise<TurnModelRequest> {
  if (passages.length === 0) return base
  const built = buildTurnRequest(turn, {
    models: steps.models.models,
    today: steps.today(),
    passages,
  })
  for (const admission of admissions) await admission.admitContext?.(tx, built.request)
  return built
}

function startCall(
  steps: TurnSteps,
  ctx: TurnContext,
  { signal, parent, early }: CallStart,
  admissions: readonly Admission[],
  built: TurnModelRequest,
): OpenedCall {
  const { request } = built
  const admitModel = everyAdmission(admissions)
  const call =
    early?.claim(request, admissions) ??
    streamStep(ctx, parent, () =>
      steps.router.stream(
        { ...request, requestId: ctx.requestId, ...(admitModel ? { admitModel } : {}) },
        signal,
      ),
    )
  return { call, droppedMessages: built.droppedMessages, passages: built.passages }
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
