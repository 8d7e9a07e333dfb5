import {
  type ActivityType,
  activityLog,
  type ErrorSource,
  errorLog,
  logPurges,
} from '@parley/schema/tables'
import { and, count, desc, eq, gte, isNotNull, isNull, lt, max, type SQL, sql } from 'drizzle-orm'
import type { Tx } from '../client.ts'
import { decodeCursor, pageFrom, timeAndIdCursor } from '../cursor.ts'
import { executedRows } from '../json-row.ts'

export type ActivityRow = typeof activityLog.$inferSelect
export type NewActivityRow = typeof activityLog.$inferInsert
export type ErrorLogRow = typeof errorLog.$inferSelect
export type NewErrorLogRow = typeof errorLog.$inferInsert

export interface LogPage<T> {
  items: T[]
  nextCursor: string | null
}

/** One multi-row insert of queued activity (service role: the server writes, nobody else). */
export async function insertActivity(tx: Tx, rows: readonly NewActivityRow[]): Promise<void> {
  if (rows.length > 0) await tx.insert(activityLog).values([...rows])
}

/** One multi-row insert of queued errors. */
export async function insertErrors(tx: Tx, rows: readonly NewErrorLogRow[]): Promise<void> {
  if (rows.length > 0) await tx.insert(errorLog).values([...rows])
}

function pageOf<T extends { createdAt: Date; id: string }>(rows: T[], limit: number): LogPage<T> {
  return pageFrom(rows, limit, (last) => [last.createdAt.toISOString(), last.id])
}

function before(table: typeof activityLog | typeof errorLog, cursor: string | undefined) {
  if (!cursor) return undefined
  const [at, id] = decodeCursor(cursor, timeAndIdCursor)
  return sql`(${table.createdAt}, ${table.id}) < (${at}::timestamptz, ${id}::uuid)`
}

export interface ActivityFilter {
  limit: number
  cursor?: string | undefined
  /** `own`: the caller's rows only; `visible`: every row RLS shows (an admin's: everyone's). */
  scope: 'own' | 'visible'
  userId?: string | undefined
  type?: ActivityType | undefined
  from?: Date | undefined
  /** Excluded. */
  to?: Date | undefined
}

/** Activity newest first, a page at a time; under RLS a user only ever sees their own. */
export async function listActivity(tx: Tx, filter: ActivityFilter): Promise<LogPage<ActivityRow>> {
  const rows = await tx
    .select()
    .from(activityLog)
    .where(
      and(
        filter.scope === 'own' ? sql`${activityLog.userId} = (select auth.uid())` : undefined,
        filter.userId ? eq(activityLog.userId, filter.userId) : undefined,
        filter.type ? eq(activityLog.type, filter.type) : undefined,
        filter.from ? gte(activityLog.createdAt, filter.from) : undefined,
        filter.to ? lt(activityLog.createdAt, filter.to) : undefined,
        before(activityLog, filter.cursor),
      ),
    )
    .orderBy(desc(activityLog.createdAt), desc(activityLog.id))
    .limit(filter.limit + 1)
  return pageOf(rows, filter.limit)
}

export interface ErrorFilter {
  resolved?: boolean | undefined
  source?: ErrorSource | undefined
}

function errorConditions(filter: ErrorFilter): SQL | undefined {
  return and(
    filter.resolved === undefined
      ? undefined
      : filter.resolved
        ? isNotNull(errorLog.resolvedAt)
        : isNull(errorLog.resolvedAt),
    filter.source ? eq(errorLog.source, filter.source) : undefined,
  )
}

/** The error log newest first (RLS: admins only; anyone else sees no rows). */
export async function listErrors(
  tx: Tx,
  filter: ErrorFilter & { limit: number; cursor?: string | undefined },
): Promise<LogPage<ErrorLogRow>> {
  const rows = await tx
    .select()
    .from(errorLog)
    .where(and(errorConditions(filter), before(errorLog, filter.cursor)))
    .orderBy(desc(errorLog.createdAt), desc(errorLog.id))
    .limit(filter.limit + 1)
  return pageOf(rows, filter.limit)
}

export interface ErrorCount {
  key: string | null
  count: number
  unresolved: number
  lastSeenAt: Date
}

/** Errors counted per route or code, the most frequent first. */
export async function countErrors(
  tx: Tx,
  groupBy: 'route' | 'code',
  filter: ErrorFilter,
): Promise<ErrorCount[]> {
  const key = groupBy === 'route' ? errorLog.route : errorLog.code
  const rows = await tx
    .select({
      key,
      count: count(),
      unresolved: sql<number>`count(*) filter (where ${errorLog.resolvedAt} is null)`,
      lastSeenAt: max(errorLog.createdAt),
    })
    .from(errorLog)
    .where(errorConditions(filter))
    .groupBy(key)
    .orderBy(desc(count()), key)
  return rows.map((row) => ({
    key: row.key,
    count: Number(row.count),
    unresolved: Number(row.unresolved),
    lastSeenAt: new Date(row.lastSeenAt ?? 0),
  }))
}

/**
 * Marks an error resolved in the caller's name with a note, or open again (which clears both).
 * Null when there is no such error the caller may change (RLS: admins only).
 */
export async function resolveError(
  tx: Tx,
  id: string,
  change: { resolved: boolean; note?: string | undefined },
): Promise<ErrorLogRow | null> {
  const [row] = await tx
    .update(errorLog)
    .set(
      change.resolved
        ? {
            resolvedAt: sql`now()`,
            resolvedBy: sql`(select auth.uid())`,
            resolutionNote: change.note || null,
          }
        : { resolvedAt: null, resolvedBy: null, resolutionNote: null },
    )
    .where(eq(errorLog.id, id))
    .returning()
  return row ?? null
}

export interface PurgeOptions {
  now: Date
  retentionDays: number
  /** At most one purge per period, across every instance on this database. */
  periodMs: number
}

export type PurgeResult = { purged: false } | { purged: true; activity: number; errors: number }

/**
 * Deletes activity and errors older than the retention, at most once per period whichever
 * instance asks: a transaction-scoped advisory lock keeps two purges from running at once, and
 * the "last purged" row only moves forward when a period has passed since it last did.
 */
export async function purgeLogs(tx: Tx, options: PurgeOptions): Promise<PurgeResult> {
  const [lock] = executedRows<{ locked: boolean }>(
    await tx.execute(sql`select pg_try_advisory_xact_lock(hashtext('parley.log_purge')) as locked`),
  )
  if (!lock?.locked) return { purged: false }
  const due = new Date(options.now.getTime() - options.periodMs)
  const claimed = await tx
    .update(logPurges)
    .set({ purgedAt: options.now })
    .where(and(eq(logPurges.name, 'logs'), sql`${logPurges.purgedAt} <= ${due.toISOString()}`))
    .returning({ name: logPurges.name })
  if (claimed.length === 0) return { purged: false }
  const cutoff = new Date(options.now.getTime() - options.retentionDays * 86_400_000)
  const activity = await tx
    .delete(activityLog)
    .where(lt(activityLog.createdAt, cutoff))
    .returning({ id: activityLog.id })
  const errors = await tx
    .delete(errorLog)
    .where(lt(errorLog.createdAt, cutoff))
    .returning({ id: errorLog.id })
  return { purged: true, activity: activity.length, errors: errors.length }
}
