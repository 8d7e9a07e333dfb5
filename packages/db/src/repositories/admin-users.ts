import { type SQL, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Tx } from '../client.ts'
import { decodeCursor, pageFrom, timeAndIdCursor } from '../cursor.ts'
import { parseInput } from '../errors.ts'
import { executedRows } from '../json-row.ts'
import type { BudgetDefaults, BudgetPeriod } from './budgets.ts'

// Account management for admins, through `public.admin_list_users` and
// `public.admin_update_user` (supabase/migrations/20261206100000_admin_users.sql): run them with
// the admin's own claims (`withUser`); they answer nothing to anyone else.

/** An account as an admin sees it. */
export interface AdminUserRow {
  id: string
  email: string
  createdAt: Date
  lastSignInAt: Date | null
  role: 'admin' | 'user'
  /** Set (in the future) while the account is disabled. */
  bannedUntil: Date | null
  spendPeriod: BudgetPeriod
  /** Spend since the start of `spendPeriod` (UTC), from the daily rollups. */
  spentMicroUsd: number
}

interface RowJson {
  id: string
  email: string | null
  created_at: Date | string
  last_sign_in_at: Date | string | null
  role: 'admin' | 'user'
  banned_until: Date | string | null
  spend_period: BudgetPeriod
  spent_micro_usd: number | string
  /** `created_at` to the microsecond, for the page cursor. */
  cursor_at: string
}

const listQuery = z.strictObject({
  query: z.string().trim().max(255).optional(),
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(100).default(50),
})
export type AdminUsersListQuery = z.input<typeof listQuery>

const date = (value: Date | string) => (value instanceof Date ? value : new Date(value))

function fromJson(row: RowJson): AdminUserRow {
  return {
    id: row.id,
    email: row.email ?? '',
    createdAt: date(row.created_at),
    lastSignInAt: row.last_sign_in_at === null ? null : date(row.last_sign_in_at),
    role: row.role,
    bannedUntil: row.banned_until === null ? null : date(row.banned_until),
    spendPeriod: row.spend_period,
    spentMicroUsd: Number(row.spent_micro_usd),
  }
}

async function selectUsers(tx: Tx, args: SQL): Promise<RowJson[]> {
  return executedRows<RowJson>(
    await tx.execute(sql`
      select f.*, to_char(f.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at
      from public.admin_list_users(${args}) f`),
  )
}

const defaultsJson = (defaults: BudgetDefaults) =>
  JSON.stringify({ defaultPeriod: defaults.period })

/** One page of accounts, newest first, optionally only those whose email contains `query`. */
export async function listAdminUsers(
  tx: Tx,
  input: AdminUsersListQuery,
  defaults: BudgetDefaults,
): Promise<{ items: AdminUserRow[]; nextCursor: string | null }> {
  const { query, cursor, limit } = parseInput(listQuery, input)
  const after = cursor ? decodeCursor(cursor, timeAndIdCursor) : undefined
  const rows = await selectUsers(
    tx,
    sql`${query || null}::text, null::uuid, ${after?.[0] ?? null}::timestamptz, ${after?.[1] ?? null}::uuid, ${limit + 1}::integer, ${defaultsJson(defaults)}::jsonb`,
  )
  const page = pageFrom(rows, limit, (last) => [last.cursor_at, last.id])
  return { items: page.items.map(fromJson), nextCursor: page.nextCursor }
}

/** One account, or null (no such account, or the caller is not an admin). */
export async function getAdminUser(
  tx: Tx,
  id: string,
  defaults: BudgetDefaults,
): Promise<AdminUserRow | null> {
  const userId = parseInput(z.uuid(), id)
  const [row] = await selectUsers(
    tx,
    sql`null::text, ${userId}::uuid, null::timestamptz, null::uuid, 1, ${defaultsJson(defaults)}::jsonb`,
  )
  return row ? fromJson(row) : null
}

const update = z.strictObject({
  role: z.enum(['admin', 'user']).optional(),
  disabled: z.boolean().optional(),
})

/**
 * Embedded auth only: sets or removes the admin role, disables the account (ending its
 * sessions) or enables it again. False when there is no such account. The caller cannot demote
 * or disable themselves (`DbError('conflict')`).
 */
export async function updateAdminUser(
  tx: Tx,
  id: string,
  input: z.input<typeof update>,
): Promise<boolean> {
  const userId = parseInput(z.uuid(), id)
  const { role, disabled } = parseInput(update, input)
  const [row] = executedRows<{ updated: boolean }>(
    await tx.execute(
      sql`select public.admin_update_user(${userId}::uuid, ${role ?? null}::text, ${disabled ?? null}::boolean) as updated`,
    ),
  )
  return row?.updated === true
}
