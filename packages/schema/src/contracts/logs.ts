import { z } from 'zod'
import { activityTypes } from '../tables/activity-log.ts'
import { errorSeverities, errorSources } from '../tables/error-log.ts'
import { cursor, isoDateTime, page, pageLimit, uuid } from './common.ts'

export { activityTypes, errorSeverities, errorSources }

/** Longest note an admin may leave when resolving an error. */
export const maxResolutionNoteChars = 2000

/** Most rows one CSV download holds (newest first, from the cursor on). */
export const maxLogCsvRows = 10_000

export const activityType = z.enum(activityTypes)

/** A day (`2026-12-05`, the whole UTC day) or an instant with an offset. */
const timeBound = z.union([z.iso.date(), isoDateTime])

export const logFormat = z.enum(['json', 'csv']).default('json')

/** `GET /activity`: the caller's own activity, newest first. */
export const activityQuery = z.strictObject({
  limit: pageLimit.default(50),
  cursor: cursor.optional(),
})
export type ActivityQuery = z.input<typeof activityQuery>

/** `GET /admin/activity`: everyone's activity (admins), filtered. */
export const adminActivityQuery = z.strictObject({
  limit: pageLimit.default(50),
  cursor: cursor.optional(),
  userId: uuid.optional(),
  type: activityType.optional(),
  /** From this instant or day on (included). */
  from: timeBound.optional(),
  /** Up to this instant (excluded) or day (included). */
  to: timeBound.optional(),
  format: logFormat,
})
export type AdminActivityQuery = z.input<typeof adminActivityQuery>

const metadataValue = z.union([z.string(), z.number(), z.boolean(), z.null()])

export const activityEntry = z.object({
  id: uuid,
  userId: uuid,
  type: activityType,
  /** The conversation, message, user or model acted on, when there is one. */
  targetId: z.string().nullable(),
  /** Small facts about the event (ids, counts, flags); never text anyone wrote. */
  metadata: z.record(z.string(), metadataValue),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
  createdAt: isoDateTime,
})
export type ActivityEntry = z.infer<typeof activityEntry>

export const activityPage = page(activityEntry)
export type ActivityPage = z.infer<typeof activityPage>

export const errorGroupBy = z.enum(['route', 'code'])
export type ErrorGroupBy = z.infer<typeof errorGroupBy>

const booleanFlag = z.enum(['true', 'false']).transform((value) => value === 'true')

/** `GET /admin/errors`: the error log (admins), as a list or counted per route or code. */
export const adminErrorsQuery = z.strictObject({
  limit: pageLimit.default(50),
  cursor: cursor.optional(),
  groupBy: errorGroupBy.optional(),
  /** `true`: resolved ones only; `false`: open ones only; absent: both. */
  resolved: booleanFlag.optional(),
  source: z.enum(errorSources).optional(),
  format: logFormat,
})
export type AdminErrorsQuery = z.input<typeof adminErrorsQuery>

export const errorEntry = z.object({
  id: uuid,
  requestId: z.string().nullable(),
  source: z.enum(errorSources),
  severity: z.enum(errorSeverities),
  method: z.string().nullable(),
  /** The route pattern (`/api/v1/conversations/:id`), or for a provider failure the turn's. */
  route: z.string().nullable(),
  status: z.number().int().nullable(),
  code: z.string(),
  /** A fixed, safe description: never message text, tokens or upstream wording. */
  message: z.string(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  userId: uuid.nullable(),
  createdAt: isoDateTime,
  resolvedAt: isoDateTime.nullable(),
  resolvedBy: uuid.nullable(),
  resolutionNote: z.string().nullable(),
})
export type ErrorEntry = z.infer<typeof errorEntry>

export const errorPage = page(errorEntry)
export type ErrorPage = z.infer<typeof errorPage>

export const errorGroup = z.object({
  /** The route or the code; null for errors without a route. */
  key: z.string().nullable(),
  count: z.number().int().min(0),
  unresolved: z.number().int().min(0),
  lastSeenAt: isoDateTime,
})
export type ErrorGroup = z.infer<typeof errorGroup>

export const errorGroups = z.object({ groupBy: errorGroupBy, items: z.array(errorGroup) })
export type ErrorGroups = z.infer<typeof errorGroups>

export const resolveErrorBody = z.strictObject({
  resolved: z.boolean(),
  note: z.string().trim().max(maxResolutionNoteChars).optional(),
})
export type ResolveErrorBody = z.input<typeof resolveErrorBody>
