import {
  type NewUsageEvent,
  newUsageEvent,
  type UsageTotals,
  usageTotalsQuery,
  uuid,
} from '@parley/schema/contracts'
import { usageEvents } from '@parley/schema/tables'
import { and, eq, gte, lt, sql } from 'drizzle-orm'
import type { Tx } from '../client.ts'
import { parseInput } from '../errors.ts'

export type UsageEventRow = typeof usageEvents.$inferSelect

/** Records one model call for the caller. */
export async function insertUsageEvent(tx: Tx, input: NewUsageEvent): Promise<UsageEventRow> {
  const values = parseInput(newUsageEvent, input)
  const [row] = await tx.insert(usageEvents).values(values).returning()
  if (!row) throw new Error('insert returned no row')
  return row
}

/** The caller's spend per UTC day and model, for days `from` to `to` inclusive. */
export async function usageTotalsByDay(
  tx: Tx,
  range: { from: string; to: string },
): Promise<UsageTotals[]> {
  const { from, to } = parseInput(usageTotalsQuery, range)
  const day = sql<string>`to_char(${usageEvents.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`
  const rows = await tx
    .select({
      day,
      model: usageEvents.model,
      calls: sql<number | string>`count(*)`,
      inputTokens: sql<number | string>`coalesce(sum(${usageEvents.inputTokens}), 0)`,
      outputTokens: sql<number | string>`coalesce(sum(${usageEvents.outputTokens}), 0)`,
      cachedInputTokens: sql<number | string>`coalesce(sum(${usageEvents.cachedInputTokens}), 0)`,
      costMicroUsd: sql<number | string>`coalesce(sum(${usageEvents.costMicroUsd}), 0)`,
    })
    .from(usageEvents)
    .where(
      and(
        eq(usageEvents.userId, sql`(select auth.uid())`),
        gte(usageEvents.createdAt, sql`${from}::date at time zone 'UTC'`),
        lt(usageEvents.createdAt, sql`(${to}::date + 1) at time zone 'UTC'`),
      ),
    )
    .groupBy(day, usageEvents.model)
    .orderBy(day, usageEvents.model)
  // Sums are numeric/bigint in SQL; postgres.js returns them as strings, PGlite as numbers.
  return rows.map((row) => ({
    day: row.day,
    model: row.model,
    calls: Number(row.calls),
    inputTokens: Number(row.inputTokens),
    outputTokens: Number(row.outputTokens),
    cachedInputTokens: Number(row.cachedInputTokens),
    costMicroUsd: Number(row.costMicroUsd),
  }))
}

/** Whether the caller's usage ledger already has the row of this reply (its turn was settled). */
export async function hasUsageForMessage(tx: Tx, messageId: string): Promise<boolean> {
  const id = parseInput(uuid, messageId)
  const [row] = await tx
    .select({ id: usageEvents.id })
    .from(usageEvents)
    .where(eq(usageEvents.messageId, id))
    .limit(1)
  return row !== undefined
}
