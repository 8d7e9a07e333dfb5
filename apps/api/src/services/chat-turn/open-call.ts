import type { Context } from '@opentelemetry/api'
import type { Tx } from '@parley/db'
import type { RouterRequest, RouterStream } from '@parley/llm'
import { safeError } from '../../errors.ts'
import { buildTurnRequest } from './build-request.ts'
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
 * instead, so that no transaction waits.
 */
export async function openCall(
  steps: TurnSteps,
  ctx: TurnContext,
  turn: PreparedTurn,
  start: CallStart,
  tx: Tx,
  admissions: readonly Admission[],
): Promise<OpenedCall | DeferredCall> {
  const gathered = await inTurnStep(ctx, 'context', async () => {
    // One after the other: the steps share the transaction, which runs one statement at a time.
    const found: (ContextPassage[] | DeferredContext)[] = []
    for (const step of steps.context) found.push(await step(tx, ctx, turn))
    return found
  })
  if (gathered.every((part) => Array.isArray(part))) {
    return startCall(steps, ctx, turn, start, admissions, gathered.flat())
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
      return startCall(steps, ctx, turn, start, admissions, passages)
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

function startCall(
  steps: TurnSteps,
  ctx: TurnContext,
  turn: PreparedTurn,
  { signal, parent }: CallStart,
  admissions: readonly Admission[],
  passages: ContextPassage[],
): OpenedCall {
  const built = buildTurnRequest(turn, {
    models: steps.models.models,
    today: steps.today(),
    passages,
  })
  const { request } = built
  const admitModel = everyAdmission(admissions)
  const call = streamStep(ctx, parent, () =>
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
