import {
  type BudgetDefaults,
  type BudgetState,
  type Database,
  reserveBudget,
  settleBudget,
  type Tx,
} from '@parley/db'
import {
  costMicroUsd,
  defaultOutputReserve,
  estimatePromptTokens,
  formatUsd,
  type ModelAdmission,
  type ModelSpec,
} from '@parley/llm'
import { AppError, safeError } from '../../errors.ts'
import { buildTurnRequest } from './build-request.ts'
import type { Admission, AdmissionStep, CallHold, PreparedTurn, TurnContext } from './turn-types.ts'

/**
 * The most a turn can cost on the model it will try: its prompt priced as input (without
 * cache discounts) and the output allowance the router will send (`max_output_tokens`) priced
 * as output. `auto` may land on any model, so it is priced as the dearest.
 */
export function worstCaseMicroUsd(
  models: readonly ModelSpec[],
  turn: PreparedTurn,
  today: string,
): number {
  const { request } = buildTurnRequest(turn, { models, today, passages: [] })
  const candidates = turn.model === 'auto' ? models : models.filter((s) => s.id === turn.model)
  const costs = candidates.map((spec) =>
    costMicroUsd(
      {
        inputTokens: estimatePromptTokens(request.system, request.messages, spec),
        outputTokens: Math.min(
          request.maxOutputTokens ?? defaultOutputReserve(spec),
          spec.maxOutputTokens,
        ),
        cachedInputTokens: 0,
        reasoningTokens: 0,
        estimated: true,
      },
      spec.prices,
    ),
  )
  return Math.max(0, ...costs)
}

/** What a refused turn tells the client: how much is left and when the period starts again. */
export function budgetExceeded(state: BudgetState, requiredMicroUsd: number): AppError {
  const limit = state.limitMicroUsd ?? 0
  const remaining = Math.max(0, limit - state.spentMicroUsd - state.reservedMicroUsd)
  const resetsAt = state.periodEnd.toISOString()
  return new AppError(
    'budget_exceeded',
    `this message could cost up to $${formatUsd(requiredMicroUsd)}, more than the $${formatUsd(remaining)} left of your budget; it resets at ${resetsAt}`,
    {
      details: {
        remainingUsd: formatUsd(remaining),
        limitUsd: formatUsd(limit),
        requiredUsd: formatUsd(requiredMicroUsd),
        resetsAt,
      },
    },
  )
}

/** What one call's worst case is on one model: its prompt and whole output allowance priced. */
function callWorstCase(next: ModelAdmission): number {
  return costMicroUsd(
    {
      inputTokens: next.promptTokens,
      outputTokens: next.maxOutputTokens,
      cachedInputTokens: 0,
      reasoningTokens: 0,
      estimated: true,
    },
    next.spec.prices,
  )
}

export interface BudgetOptions {
  db: Database
  models: readonly ModelSpec[]
  defaults: BudgetDefaults
  today: () => string
}

/**
 * The reservations one model call holds against its user's budget: as much as the worst case
 * of the dearest model it has been allowed to try. Before each model the router tries, the
 * difference that model adds is reserved (in a transaction of its own) or the call ends there;
 * every reservation is settled in the transaction that records the call's usage.
 */
export class BudgetHold implements CallHold, Admission {
  #reserved = 0
  readonly #ids: string[] = []
  readonly #options: Pick<BudgetOptions, 'db' | 'defaults'>
  readonly #ctx: TurnContext
  readonly #messageId: string | null

  /** `messageId`: the reply the call writes, if any (settling waits until it stops streaming). */
  constructor(
    options: Pick<BudgetOptions, 'db' | 'defaults'>,
    ctx: TurnContext,
    messageId: string | null,
  ) {
    this.#options = options
    this.#ctx = ctx
    this.#messageId = messageId
  }

  /** Reserves what `amountMicroUsd` adds to what is held already; the refusal, or null. */
  async cover(tx: Tx, amountMicroUsd: number): Promise<AppError | null> {
    const more = amountMicroUsd - this.#reserved
    if (more <= 0) return null
    const reservation = await reserveBudget(tx, {
      messageId: this.#messageId,
      amountMicroUsd: more,
      defaults: this.#options.defaults,
    })
    if (reservation.status === 'refused') return budgetExceeded(reservation.state, more)
    this.#ids.push(reservation.reservationId)
    this.#reserved = amountMicroUsd
    return null
  }

  readonly admitModel = async (next: ModelAdmission): Promise<{ message: string } | null> => {
    const amount = callWorstCase(next)
    if (amount <= this.#reserved) return null
    // Fails closed: a budget that cannot be checked does not let the call go on.
    const refusal = await this.#options.db
      .withUser(this.#ctx.claims, (tx) => this.cover(tx, amount))
      .catch((error: unknown) => {
        this.#ctx.logger.warn({ err: safeError(error) }, 'reserving a budget for another model')
        return new AppError('budget_exceeded', 'the budget could not be checked for another model')
      })
    return refusal ? { message: refusal.message } : null
  }

  /** Releases every reservation (idempotent: a retried settle finds them gone). */
  async settle(tx: Tx): Promise<void> {
    for (const id of this.#ids) await settleBudget(tx, id)
  }
}

/**
 * The budget **admission** step: reserves the turn's worst case against the user's budget in the
 * prepare transaction (so a refusal keeps none of the turn's rows), then holds it for the call
 * (a dearer fallback reserves the difference first) and settles it in the transaction that
 * writes the turn's usage row, whatever the outcome.
 */
export function budgetAdmission(options: BudgetOptions): AdmissionStep {
  return async (tx, ctx, turn) => {
    const amountMicroUsd = worstCaseMicroUsd(options.models, turn, options.today())
    const hold = new BudgetHold(options, ctx, turn.assistantMessage.id)
    const refusal = await hold.cover(tx, amountMicroUsd)
    if (refusal) throw refusal
    return hold
  }
}

/** A title call's hold: its worst case is reserved before it is sent, or it is not sent. */
export function budgetTitleHold(options: BudgetOptions): (ctx: TurnContext) => CallHold {
  return (ctx) => new BudgetHold(options, ctx, null)
}
