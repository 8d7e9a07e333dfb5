import {
  type Database,
  insertActivity,
  insertErrors,
  type NewActivityRow,
  type NewErrorLogRow,
} from '@parley/db'
import type {
  ActivityMetadata,
  ActivityType,
  ErrorSeverity,
  ErrorSource,
} from '@parley/schema/tables'
import type { Context } from 'hono'
import { matchedRoutes } from 'hono/route'
import type { Logger } from 'pino'
import { clientAddress } from '../client-address.ts'
import type { AppEnv } from '../env.ts'
import { type AppError, safeError } from '../errors.ts'
import { LogQueue, type LogQueueOptions } from './log-queue.ts'

export interface ActivityEvent {
  type: ActivityType
  /** Who acted. */
  userId: string
  /** The conversation, message, user or model acted on. Never a share link's id or a token. */
  targetId?: string | null | undefined
  /** Ids, counts and flags only: never message text, titles, tokens or passwords. */
  meta?: ActivityMetadata | undefined
  requestId?: string | null | undefined
  ip?: string | null | undefined
}

export interface ErrorEvent {
  source: ErrorSource
  severity: ErrorSeverity
  code: string
  /** A fixed description; never message text, tokens or upstream wording. */
  message: string
  requestId?: string | null | undefined
  method?: string | null | undefined
  route?: string | null | undefined
  status?: number | null | undefined
  provider?: string | null | undefined
  model?: string | null | undefined
  userId?: string | null | undefined
}

/** A log the server writes in batches; recording never waits and never fails its caller. */
export interface RecordedLog<Event> {
  record(event: Event): void
  /** Writes everything recorded so far (tests await it; the shutdown drain calls it). */
  flush(): Promise<void>
}

const clip = (value: string | null | undefined, max: number) =>
  value === null || value === undefined ? null : value.slice(0, max)

/** At most 12 entries of short scalars: always within the column's 2 kB. */
function safeMeta(meta: ActivityMetadata | undefined): ActivityMetadata {
  const entries = Object.entries(meta ?? {}).slice(0, 12)
  return Object.fromEntries(
    entries.map(([key, value]) => [
      key.slice(0, 40),
      typeof value === 'string' ? value.slice(0, 100) : value,
    ]),
  )
}

function activityRow(event: ActivityEvent): NewActivityRow {
  return {
    userId: event.userId,
    type: event.type,
    targetId: clip(event.targetId, 200),
    metadata: safeMeta(event.meta),
    requestId: clip(event.requestId, 200),
    ip: clip(event.ip, 64),
    createdAt: new Date(),
  }
}

function errorRow(event: ErrorEvent): NewErrorLogRow {
  return {
    source: event.source,
    severity: event.severity,
    code: event.code.slice(0, 64),
    message: event.message.slice(0, 500),
    requestId: clip(event.requestId, 200),
    method: clip(event.method, 16),
    route: clip(event.route, 300),
    status: event.status ?? null,
    provider: clip(event.provider, 64),
    model: clip(event.model, 128),
    userId: event.userId ?? null,
    createdAt: new Date(),
  }
}

function recordedLog<Event, Row>(
  queue: LogQueue<Row>,
  toRow: (event: Event) => Row,
  logger: Logger,
): RecordedLog<Event> {
  return {
    record(event) {
      try {
        queue.push(toRow(event))
      } catch (error) {
        // A log entry is never worth failing the request that caused it.
        logger.error({ err: safeError(error) }, 'a log entry could not be queued')
      }
    },
    flush: () => queue.flush(),
  }
}

/** The activity log: written as the service, since the event's user may be gone (deleted). */
export function createActivityLog(
  db: Database,
  logger: Logger,
  options?: LogQueueOptions,
): RecordedLog<ActivityEvent> {
  const queue = new LogQueue<NewActivityRow>(
    'activity',
    (rows) => db.asService((tx) => insertActivity(tx, rows)),
    logger,
    options,
  )
  return recordedLog(queue, activityRow, logger)
}

export function createErrorLog(
  db: Database,
  logger: Logger,
  options?: LogQueueOptions,
): RecordedLog<ErrorEvent> {
  const queue = new LogQueue<NewErrorLogRow>(
    'errors',
    (rows) => db.asService((tx) => insertErrors(tx, rows)),
    logger,
    options,
  )
  return recordedLog(queue, errorRow, logger)
}

/**
 * Records what the signed-in caller of this request did, with the request's id and address.
 * The admin routes call it for their changes (`invitation_created`, `user_changed`, ...).
 */
export function recordActivity(
  c: Context<AppEnv>,
  type: ActivityType,
  details: { targetId?: string | null; meta?: ActivityMetadata } = {},
): void {
  const { deps, claims, requestId } = c.var
  if (!claims.sub) return
  const ip = clientAddress(c, deps.trustedProxies)
  deps.activity.record({
    type,
    userId: claims.sub,
    targetId: details.targetId ?? null,
    ...(details.meta ? { meta: details.meta } : {}),
    requestId,
    ip: ip === 'unknown' ? null : ip,
  })
}

/** Codes the error log leaves out: a turn's provider failure is recorded by the turn itself. */
const notServerErrors = new Set(['provider_error', 'provider_unavailable', 'draining'])

/** The route pattern that answered (`/api/v1/conversations/:id`), not the path with its ids. */
export function routeOf(c: Context): string {
  const handler = matchedRoutes(c).find((route) => route.method !== 'ALL')
  return handler?.path ?? matchedRoutes(c).at(-1)?.path ?? 'unmatched'
}

/** Records a 5xx the server answered (its code and safe message only) in the error log. */
export function recordServerError(c: Context<AppEnv>, error: AppError): void {
  const deps = c.var.deps
  if (!deps || error.status < 500 || notServerErrors.has(error.code)) return
  deps.errors.record({
    source: 'server',
    severity: 'error',
    code: error.code,
    message: error.message,
    requestId: c.var.requestId ?? null,
    method: c.req.method,
    route: routeOf(c),
    status: error.status,
    userId: c.var.claims?.sub ?? null,
  })
}
