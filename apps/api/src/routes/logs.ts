import {
  type ActivityRow,
  countErrors,
  type ErrorLogRow,
  type LogPage,
  listActivity,
  listErrors,
  resolveError,
} from '@parley/db'
import {
  type ActivityEntry,
  activityPage,
  activityQuery,
  adminActivityQuery,
  adminErrorsQuery,
  type ErrorEntry,
  errorEntry,
  errorGroups,
  errorPage,
  idParam,
  maxLogCsvRows,
  resolveErrorBody,
} from '@parley/schema/contracts'
import { type Context, Hono } from 'hono'
import { z } from 'zod'
import { type CsvValue, toCsv } from '../csv.ts'
import type { AppEnv } from '../env.ts'
import { AppError, notFound } from '../errors.ts'
import { requireAdmin } from '../middleware/require-admin.ts'
import { validate } from '../middleware/validate.ts'
import { docs } from './docs.ts'

const toActivity = (row: ActivityRow): ActivityEntry => ({
  id: row.id,
  userId: row.userId,
  type: row.type,
  targetId: row.targetId,
  metadata: row.metadata,
  requestId: row.requestId,
  ip: row.ip,
  createdAt: row.createdAt.toISOString(),
})

const toError = (row: ErrorLogRow): ErrorEntry => ({
  id: row.id,
  requestId: row.requestId,
  source: row.source,
  severity: row.severity,
  method: row.method,
  route: row.route,
  status: row.status,
  code: row.code,
  message: row.message,
  provider: row.provider,
  model: row.model,
  userId: row.userId,
  createdAt: row.createdAt.toISOString(),
  resolvedAt: row.resolvedAt?.toISOString() ?? null,
  resolvedBy: row.resolvedBy,
  resolutionNote: row.resolutionNote,
})

const pageOut = <Row, Out>(page: LogPage<Row>, to: (row: Row) => Out) => ({
  items: page.items.map(to),
  nextCursor: page.nextCursor,
})

function csvDownload(c: Context<AppEnv>, name: string, header: string[], rows: CsvValue[][]) {
  return c.body(toCsv(header, rows), 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${name}-${new Date().toISOString().slice(0, 10)}.csv"`,
  })
}

const activityCsvHeader = [
  'created_at',
  'user_id',
  'type',
  'target_id',
  'metadata',
  'request_id',
  'ip',
]
const activityCsvLine = (entry: ActivityEntry): CsvValue[] => [
  entry.createdAt,
  entry.userId,
  entry.type,
  entry.targetId,
  JSON.stringify(entry.metadata),
  entry.requestId,
  entry.ip,
]

const errorCsvHeader = [
  'created_at',
  'source',
  'severity',
  'code',
  'message',
  'method',
  'route',
  'status',
  'provider',
  'model',
  'user_id',
  'request_id',
  'resolved_at',
  'resolved_by',
  'resolution_note',
]
const errorCsvLine = (entry: ErrorEntry): CsvValue[] => [
  entry.createdAt,
  entry.source,
  entry.severity,
  entry.code,
  entry.message,
  entry.method,
  entry.route,
  entry.status,
  entry.provider,
  entry.model,
  entry.userId,
  entry.requestId,
  entry.resolvedAt,
  entry.resolvedBy,
  entry.resolutionNote,
]

const dayMs = 86_400_000

/** A bound of the time filter: a bare day starts at its UTC midnight; as `to`, it is included. */
function timeBound(value: string | undefined, end: boolean): Date | undefined {
  if (value === undefined) return undefined
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value)
  const at = Date.parse(day ? `${value}T00:00:00Z` : value)
  return new Date(day && end ? at + dayMs : at)
}

/** `GET /activity`: what the caller did, newest first. */
export const activity = new Hono<AppEnv>().get(
  '/',
  docs('activity', 'The caller’s own activity (sign-ins, conversations, shares, …), newest first', {
    200: { description: 'A page', schema: activityPage },
  }),
  validate('query', activityQuery),
  async (c) => {
    const query = c.req.valid('query')
    const page = await c.var.deps.db.withUser(c.var.claims, (tx) =>
      listActivity(tx, { ...query, scope: 'own' }),
    )
    return c.json(pageOut(page, toActivity))
  },
)

/** `/admin/activity` and `/admin/errors`: everyone's activity and the error log (admins). */
export const adminLogs = new Hono<AppEnv>()
  .get(
    '/activity',
    requireAdmin,
    docs('admin', 'Everyone’s activity, filtered by user, type and time (admins; `format=csv`)', {
      200: { description: 'A page (or `text/csv` with `format=csv`)', schema: activityPage },
    }),
    validate('query', adminActivityQuery),
    async (c) => {
      const { format, from, to, ...query } = c.req.valid('query')
      const filter = {
        ...query,
        from: timeBound(from, false),
        to: timeBound(to, true),
        scope: 'visible' as const,
        ...(format === 'csv' ? { limit: maxLogCsvRows } : {}),
      }
      const page = await c.var.deps.db.withUser(c.var.claims, (tx) => listActivity(tx, filter))
      const body = pageOut(page, toActivity)
      if (format === 'csv') {
        return csvDownload(c, 'activity', activityCsvHeader, body.items.map(activityCsvLine))
      }
      return c.json(body)
    },
  )
  .get(
    '/errors',
    requireAdmin,
    docs(
      'admin',
      'Server errors and provider failures, listed or counted per route or code (admins)',
      {
        200: {
          description: 'A page, or counts with `groupBy` (or `text/csv` with `format=csv`)',
          schema: z.union([errorPage, errorGroups]),
        },
      },
    ),
    validate('query', adminErrorsQuery),
    async (c) => {
      const { format, groupBy, ...query } = c.req.valid('query')
      const { db } = c.var.deps
      if (groupBy) {
        const groups = await db.withUser(c.var.claims, (tx) => countErrors(tx, groupBy, query))
        const items = groups.map((group) => ({
          ...group,
          lastSeenAt: group.lastSeenAt.toISOString(),
        }))
        if (format === 'csv') {
          const lines = items.map((g) => [g.key, g.count, g.unresolved, g.lastSeenAt])
          return csvDownload(
            c,
            `errors-by-${groupBy}`,
            [groupBy, 'count', 'unresolved', 'last_seen_at'],
            lines,
          )
        }
        return c.json({ groupBy, items })
      }
      const filter = { ...query, ...(format === 'csv' ? { limit: maxLogCsvRows } : {}) }
      const page = await db.withUser(c.var.claims, (tx) => listErrors(tx, filter))
      const body = pageOut(page, toError)
      if (format === 'csv')
        return csvDownload(c, 'errors', errorCsvHeader, body.items.map(errorCsvLine))
      return c.json(body)
    },
  )
  .patch(
    '/errors/:id',
    requireAdmin,
    docs('admin', 'Mark an error resolved with a note, or open again (admins)', {
      200: { description: 'The error as stored', schema: errorEntry },
    }),
    validate('param', idParam),
    validate('json', resolveErrorBody),
    async (c) => {
      const change = c.req.valid('json')
      if (!change.resolved && change.note) {
        throw new AppError('validation_error', 'a note goes with resolving, not with reopening')
      }
      const row = await c.var.deps.db.withUser(c.var.claims, (tx) =>
        resolveError(tx, c.req.valid('param').id, change),
      )
      if (!row) throw notFound('error')
      return c.json(toError(row))
    },
  )
