import { type BudgetDefaults, type BudgetState, reserveBudget, settleBudget } from '@parley/db'
import { costMicroUsd, estimatePromptTokens, formatUsd, type ModelSpec } from '@parley/llm'
import { AppError } from '../../errors.ts'
import { buildTurnRequest } from './build-request.ts'
import type { AdmissionStep, PreparedTurn } from './turn-types.ts'

/**
 * The most a turn can cost on the model it will try: its prompt priced as input (without
 * cache discounts) and the model's whole output allowance priced as output. `auto` may land on
 * any model, so it is priced as the dearest.
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
        outputTokens: spec.maxOutputTokens,
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

/**
 * The budget **admission** step: reserves the turn's worst case against the user's budget in the
 * prepare transaction (so a refusal keeps none of the turn's rows), and settles the reservation
 * in the transaction that writes the turn's usage row, whatever the outcome.
 */
export function budgetAdmission(options: {
  models: readonly ModelSpec[]
  defaults: BudgetDefaults
  today: () => string
}): AdmissionStep {
  return async (tx, _ctx, turn) => {
    const amountMicroUsd = worstCaseMicroUsd(options.models, turn, options.today())
    const reservation = await reserveBudget(tx, {
      messageId: turn.assistantMessage.id,
      amountMicroUsd,
      defaults: options.defaults,
    })
    if (reservation.status === 'refused') throw budgetExceeded(reservation.state, amountMicroUsd)
    const { reservationId } = reservation
    return { settle: (settleTx) => settleBudget(settleTx, reservationId) }
  }
}
