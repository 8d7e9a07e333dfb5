import type { Page } from '@parley/schema/contracts'
import { adminAudit } from '@parley/schema/tables'
import { and, desc, eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Tx } from '../client.ts'
import { decodeCursor, pageFrom, timeAndIdCursor } from '../cursor.ts'
import { parseInput } from '../errors.ts'

export type AdminAuditRow = typeof adminAudit.$inferSelect

export const adminChange = z.strictObject({
  /** What was done, as `<target>.<verb>`: `model.update`, `budget.set`, `user.disable`. */
  action: z.string().regex(/^[a-z][a-z_]*(\.[a-z][a-z_]*)*$/),
  targetType: z.string().regex(/^[a-z][a-z_]{0,63}$/),
  targetId: z.string().min(1).max(200),
  /** The target's state before the change (null when it did not exist). */
  before: z.unknown(),
  /** The target's state after the change (null when it is gone). */
  after: z.unknown(),
})
export type AdminChange = z.input<typeof adminChange>

/**
 * Records one admin change in the transaction that makes it, so the change cannot commit
 * without its entry. The actor (id and email) comes from the transaction's claims, never from
 * the caller: run it inside `withUser` with the admin's claims (RLS refuses everyone else).
 */
export async function recordAdminChange(tx: Tx, change: AdminChange): Promise<AdminAuditRow> {
  const values = parseInput(adminChange, change)
  const [row] = await tx
    .insert(adminAudit)
    .values({ ...values, before: values.before ?? null, after: values.after ?? null })
    .returning()
  if (!row) throw new Error('insert returned no row')
  return row
}

const auditListQuery = z.strictObject({
  limit: z.number().int().min(1).max(100).default(50),
  cursor: z.string().optional(),
  targetType: z.string().optional(),
})

/** Admin changes, newest first (`withUser` as admin: RLS shows others nothing). */
export async function listAdminAudit(
  tx: Tx,
  query: z.input<typeof auditListQuery> = {},
): Promise<Page<AdminAuditRow>> {
  const { limit, cursor, targetType } = parseInput(auditListQuery, query)
  const after = cursor ? decodeCursor(cursor, timeAndIdCursor) : undefined
  const rows = await tx
    .select()
    .from(adminAudit)
    .where(
      and(
        targetType ? eq(adminAudit.targetType, targetType) : undefined,
        after
          ? sql`(${adminAudit.createdAt}, ${adminAudit.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(adminAudit.createdAt), desc(adminAudit.id))
    .limit(limit + 1)
  return pageFrom(rows, limit, (last) => [last.createdAt.toISOString(), last.id])
}
