import {
  type BudgetRow,
  getBudgetOverride,
  getBudgetState,
  listBudgetOverrides,
  recordAdminChange,
  setBudgetOverride,
} from '@parley/db'
import { formatUsd, usdToMicros } from '@parley/llm'
import {
  type Budget,
  type BudgetOverride,
  budget,
  budgetOverride,
  budgetOverrideList,
  budgetUserParam,
  setBudgetBody,
} from '@parley/schema/contracts'
import { type Context, Hono } from 'hono'
import type { AppEnv } from '../env.ts'
import { AppError } from '../errors.ts'
import { validate } from '../middleware/validate.ts'
import { recordActivity } from '../observability/activity-log.ts'
import { docs } from './docs.ts'

/** `GET /usage/budget`: the caller's limit, spend and reservations in the current period. */
export const usage = new Hono<AppEnv>().get(
  '/budget',
  docs('usage', 'The caller’s spend budget in the current period', {
    200: { description: 'OK', schema: budget },
  }),
  async (c) => {
    const { deps, claims } = c.var
    const state = await deps.db.withUser(claims, (tx) =>
      getBudgetState(tx, claims.sub, deps.budget),
    )
    const limit = state.limitMicroUsd
    const remaining =
      limit === null ? null : Math.max(0, limit - state.spentMicroUsd - state.reservedMicroUsd)
    return c.json({
      limitUsd: limit === null ? null : formatUsd(limit),
      period: state.period,
      spentUsd: formatUsd(state.spentMicroUsd),
      reservedUsd: formatUsd(state.reservedMicroUsd),
      remainingUsd: remaining === null ? null : formatUsd(remaining),
      periodStart: state.periodStart.toISOString(),
      periodEnd: state.periodEnd.toISOString(),
    } satisfies Budget)
  },
)

function requireAdmin(c: Context<AppEnv>): void {
  if (c.var.claims.app_metadata?.role !== 'admin') throw new AppError('forbidden', 'admins only')
}

const toOverride = (row: BudgetRow): BudgetOverride => ({
  userId: row.userId,
  limitUsd: row.limitMicroUsd === null ? null : formatUsd(row.limitMicroUsd),
  period: row.period,
  updatedAt: row.updatedAt.toISOString(),
})

const auditedBudget = (row: BudgetRow) => ({
  limitUsd: row.limitMicroUsd === null ? null : formatUsd(row.limitMicroUsd),
  period: row.period,
})

function limitMicros(limitUsd: string | number | null): number | null {
  if (limitUsd === null) return null
  try {
    return usdToMicros(limitUsd)
  } catch (error) {
    throw new AppError('validation_error', `limitUsd: ${(error as Error).message}`)
  }
}

/** Per-user budgets, for admins (RLS through is_admin() backs the check here). */
export const adminBudgets = new Hono<AppEnv>()
  .get(
    '/',
    docs('admin', 'Budgets set for single users (admins)', {
      200: { description: 'OK', schema: budgetOverrideList },
    }),
    async (c) => {
      requireAdmin(c)
      const rows = await c.var.deps.db.withUser(c.var.claims, listBudgetOverrides)
      return c.json({ items: rows.map(toOverride) })
    },
  )
  .put(
    '/:userId',
    docs('admin', 'Set a user’s budget, or exempt them with a null limit (admins)', {
      200: { description: 'The user’s budget', schema: budgetOverride },
    }),
    validate('param', budgetUserParam),
    validate('json', setBudgetBody),
    async (c) => {
      requireAdmin(c)
      const { userId } = c.req.valid('param')
      const body = c.req.valid('json')
      const row = await c.var.deps.db.withUser(c.var.claims, async (tx) => {
        const before = await getBudgetOverride(tx, userId)
        const after = await setBudgetOverride(tx, userId, {
          limitMicroUsd: limitMicros(body.limitUsd),
          period: body.period,
        })
        await recordAdminChange(tx, {
          action: 'budget.set',
          targetType: 'budget',
          targetId: userId,
          before: before && auditedBudget(before),
          after: auditedBudget(after),
        })
        return after
      })
      recordActivity(c, 'budget_changed', {
        targetId: userId,
        meta: {
          limitUsd: body.limitUsd === null ? null : String(body.limitUsd),
          period: row.period,
        },
      })
      c.var.deps.turns.changed({ userId })
      return c.json(toOverride(row))
    },
  )
