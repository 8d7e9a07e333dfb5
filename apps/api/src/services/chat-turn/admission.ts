import {
  type BudgetDefaults,
  type BudgetState,
  type Database,
  reserveBudget,
  settleBudget,
  type TurnBudget,
  type Tx,
} from '@parley/db'
import {
  costMicroUsd,
  defaultOutputReserve,
  estimatePromptTokens,
  formatUsd,
  type ModelAdmission,
  type ModelSpec,
  type RouterRequest,
} from '@parley/llm'
import { AppError, safeError } from '../../errors.ts'
import type { Admission, AdmissionStep, CallHold, PreparedTurn, TurnContext } from './turn-types.ts'

/**
 * The most a turn's request can cost on the model it will try: its prompt (with any passages)
 * priced as input (without cache discounts) and the output allowance the router will send
 * (`max_output_tokens`) priced as output. `auto` may land on any model, so it is priced as the
 * dearest.
 */
export function worstCaseMicroUsd(models: readonly ModelSpec[], request: RouterRequest): number {
  const candidates =
    request.model === 'auto' ? models : models.filter((s) => s.id === request.model)
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
}

/**
 * The reservations one model call holds against its user's budget: as much as the worst case
 * of the dearest model it has been allowed to try. Before each model the router tries, the
 * difference that model adds is reserved (in a transaction of its own) or the call ends there.
 */
export class BudgetHold implements CallHold {
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
 * A turn's hold: every reservation it makes is for its reply, so `settle_turn` releases them all
 * in the round trip that records the reply's usage, whatever the outcome.
 */
class TurnBudgetHold extends BudgetHold implements Admission {
  readonly settlesWithReply = true
  readonly #models: readonly ModelSpec[]

  constructor(options: BudgetOptions, ctx: TurnContext, messageId: string) {
    super(options, ctx, messageId)
    this.#models = options.models
  }

  /** Reserves the request's worst case (what it adds to what is held), or throws the refusal. */
  async admit(tx: Tx, request: RouterRequest): Promise<void> {
    const refusal = await this.cover(tx, worstCaseMicroUsd(this.#models, request))
    if (refusal) throw refusal
  }

  /** The passages the context step added are reserved for before the call starts. */
  readonly admitContext = (tx: Tx, request: RouterRequest) => this.admit(tx, request)

  /** Already released by `settle_turn`. */
  override async settle(): Promise<void> {}
}

/**
 * Whether the user's spend is limited: by an admin's override when there is one (a null limit
 * exempts them), else by the team default. The row is the one `begin_turn` read.
 */
export function hasLimit(row: TurnBudget | null, defaults: BudgetDefaults): boolean {
  return row?.overridden ? row.limitMicroUsd !== null : defaults.limitMicroUsd !== null
}

/** A turn of a user without a limit: nothing to reserve, nothing to release (spend is still kept). */
const unlimited: Admission = { settle: async () => {}, waived: true }

/**
 * The budget **admission** step: for a user with a limit, reserves the turn's worst case in the
 * prepare transaction (so a refusal keeps none of the turn's rows), then what passages add to it,
 * then holds it for the call (a dearer fallback reserves the difference first); the transaction
 * that writes the turn's usage row settles it, whatever the outcome.
 */
export function budgetAdmission(options: BudgetOptions): AdmissionStep {
  return async (tx, ctx, turn, request) => {
    if (!hasLimit(turn.budget, options.defaults)) return unlimited
    const hold = new TurnBudgetHold(options, ctx, turn.assistantMessage.id)
    await hold.admit(tx, request)
    return hold
  }
}

/**
 * A title call's hold, for a user with a limit: its worst case is reserved before it is sent, or
 * it is not sent.
 */
export function budgetTitleHold(
  options: BudgetOptions,
): (ctx: TurnContext, turn: PreparedTurn) => CallHold | undefined {
  return (ctx, turn) =>
    hasLimit(turn.budget, options.defaults) ? new BudgetHold(options, ctx, null) : undefined
}
