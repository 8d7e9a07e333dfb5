import { z } from 'zod'
import { isoDateTime, uuid } from './common.ts'

export const budgetPeriod = z.enum(['monthly', 'weekly', 'daily'])
export type BudgetPeriod = z.infer<typeof budgetPeriod>

/** USD amounts travel as decimal strings (`"7.5"`), exact to the micro-dollar. */
const usd = z.string()

/** `GET /usage/budget`: the caller's budget in the current period (UTC). */
export const budget = z.object({
  /** Null: unlimited. */
  limitUsd: usd.nullable(),
  period: budgetPeriod,
  spentUsd: usd,
  reservedUsd: usd,
  /** Null when unlimited. */
  remainingUsd: usd.nullable(),
  periodStart: isoDateTime,
  periodEnd: isoDateTime,
})
export type Budget = z.infer<typeof budget>

/** `PUT /admin/budgets/:userId`: a user's own limit (null: unlimited, exempt) and period. */
export const setBudgetBody = z.strictObject({
  limitUsd: z
    .union([
      z.string().regex(/^\d{1,9}(\.\d{1,6})?$/, 'a USD amount such as 20 or 7.50'),
      z.number(),
    ])
    .nullable(),
  period: budgetPeriod.default('monthly'),
})
export type SetBudgetBody = z.input<typeof setBudgetBody>

export const budgetUserParam = z.strictObject({ userId: uuid })

/** A budget an admin set for one user. */
export const budgetOverride = z.object({
  userId: uuid,
  limitUsd: usd.nullable(),
  period: budgetPeriod,
  updatedAt: isoDateTime,
})
export type BudgetOverride = z.infer<typeof budgetOverride>

export const budgetOverrideList = z.object({ items: z.array(budgetOverride) })
export type BudgetOverrideList = z.infer<typeof budgetOverrideList>
