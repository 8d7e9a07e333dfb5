import { budgetPeriods, budgets } from '@parley/schema/tables'
import { sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Tx } from '../client.ts'
import { parseInput } from '../errors.ts'
import { executedRows } from '../json-row.ts'

export type BudgetPeriod = (typeof budgetPeriods)[number]
export type BudgetRow = typeof budgets.$inferSelect

/** The team default, from the server's configuration: null limit is unlimited. */
export interface BudgetDefaults {
  limitMicroUsd: number | null
  period: BudgetPeriod
}

/** A user's budget now. `limitMicroUsd` null: unlimited (no default, or exempt by an admin). */
export interface BudgetState {
  limitMicroUsd: number | null
  period: BudgetPeriod
  overridden: boolean
  spentMicroUsd: number
  reservedMicroUsd: number
  periodStart: Date
  periodEnd: Date
}

export type Reservation =
  | { status: 'reserved'; reservationId: string; state: BudgetState }
  | { status: 'refused'; state: BudgetState }

interface StateJson {
  limitMicroUsd: number | string | null
  period: BudgetPeriod
  overridden: boolean
  spentMicroUsd: number | string
  reservedMicroUsd: number | string
  periodStart: string
  periodEnd: string
}

const defaultsJson = (defaults: BudgetDefaults) => ({
  defaultLimitMicroUsd: defaults.limitMicroUsd,
  defaultPeriod: defaults.period,
})

function stateFrom(json: StateJson): BudgetState {
  return {
    limitMicroUsd: json.limitMicroUsd === null ? null : Number(json.limitMicroUsd),
    period: json.period,
    overridden: json.overridden,
    spentMicroUsd: Number(json.spentMicroUsd),
    reservedMicroUsd: Number(json.reservedMicroUsd),
    periodStart: new Date(json.periodStart),
    periodEnd: new Date(json.periodEnd),
  }
}

/** A user's budget (`public.budget_state`, under the caller's RLS: users see only their own). */
export async function getBudgetState(
  tx: Tx,
  userId: string,
  defaults: BudgetDefaults,
): Promise<BudgetState> {
  const [row] = executedRows<{ state: StateJson }>(
    await tx.execute(
      sql`select public.budget_state(${userId}::uuid, ${JSON.stringify(defaultsJson(defaults))}::jsonb) as state`,
    ),
  )
  if (!row) throw new Error('budget_state returned nothing')
  return stateFrom(row.state)
}

/**
 * Reserves `amountMicroUsd` against the caller's budget in one statement (`public.reserve_budget`:
 * a row lock on the caller's budget row, then spent + reserved + amount is checked against the
 * limit), or reports the refusal. Run as the user whose turn it is; `messageId` null for a call
 * that writes no reply (a title).
 */
export async function reserveBudget(
  tx: Tx,
  input: { messageId: string | null; amountMicroUsd: number; defaults: BudgetDefaults },
): Promise<Reservation> {
  const payload = {
    messageId: input.messageId,
    amountMicroUsd: input.amountMicroUsd,
    ...defaultsJson(input.defaults),
  }
  const [row] = executedRows<{ result: StateJson & { status: string; reservationId?: string } }>(
    await tx.execute(
      sql`select public.reserve_budget(${JSON.stringify(payload)}::jsonb) as result`,
    ),
  )
  const result = row?.result
  if (!result) throw new Error('reserve_budget returned nothing')
  const state = stateFrom(result)
  return result.status === 'reserved' && result.reservationId
    ? { status: 'reserved', reservationId: result.reservationId, state }
    : { status: 'refused', state }
}

/** Releases the caller's reservation: the turn's usage row now carries what it actually cost. */
export async function settleBudget(tx: Tx, reservationId: string): Promise<void> {
  await tx.execute(sql`select public.settle_budget(${reservationId}::uuid)`)
}

/**
 * Releases every reservation the caller holds for a reply that has ended (not `streaming`), as
 * `settle_turn` does: for a turn that ended before any model was called, so nothing was spent.
 */
export async function releaseReplyBudget(tx: Tx, messageId: string): Promise<void> {
  await tx.execute(sql`select public.settle_reply_budget(${messageId}::uuid)`)
}

/** Releases reservations older than the bound (their turns died unsettled). Run `asService`. */
export async function sweepBudgetReservations(tx: Tx, olderThanSeconds: number): Promise<number> {
  const [row] = executedRows<{ swept: number }>(
    await tx.execute(
      sql`select public.sweep_budget_reservations(${olderThanSeconds}::integer) as swept`,
    ),
  )
  return row?.swept ?? 0
}

export const budgetOverride = z.strictObject({
  /** Null: unlimited (the user is exempt). */
  limitMicroUsd: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable(),
  period: z.enum(budgetPeriods),
})

/** An admin sets a user's limit and period (`withUser` as admin: RLS refuses everyone else). */
export async function setBudgetOverride(
  tx: Tx,
  userId: string,
  input: z.input<typeof budgetOverride>,
): Promise<BudgetRow> {
  const values = parseInput(budgetOverride, input)
  const set = { ...values, overridden: true, updatedAt: sql`now()` }
  const [row] = await tx
    .insert(budgets)
    .values({ userId, ...set })
    .onConflictDoUpdate({ target: budgets.userId, set })
    .returning()
  if (!row) throw new Error('upsert returned no row')
  return row
}

/** Every admin-set budget (`withUser` as admin). */
export function listBudgetOverrides(tx: Tx): Promise<BudgetRow[]> {
  return tx.select().from(budgets).where(sql`${budgets.overridden}`).orderBy(budgets.userId)
}

/** One user's admin-set budget, if any (`withUser` as admin). */
export async function getBudgetOverride(tx: Tx, userId: string): Promise<BudgetRow | null> {
  const [row] = await tx
    .select()
    .from(budgets)
    .where(sql`${budgets.userId} = ${userId} and ${budgets.overridden}`)
  return row ?? null
}
