import { z } from 'zod'

export const errorCodes = [
  'validation_error',
  'unauthorized',
  'anonymous_not_allowed',
  'forbidden',
  'not_found',
  'conflict',
  /** A per-user quota would be exceeded; `details` name it: `{quota, limit, used}`. */
  'quota_exceeded',
  'payload_too_large',
  'unsupported_media_type',
  /** An upload with nothing in it to read: `422`. */
  'empty_file',
  'rate_limited',
  'budget_exceeded',
  /** A share link its owner revoked: `410 Gone`. */
  'share_revoked',
  'internal_error',
  'provider_error',
  'provider_unavailable',
  'service_unavailable',
  'auth_unavailable',
  /** The server is shutting down: it takes no new turns; another instance will. */
  'draining',
] as const
export type ErrorCode = (typeof errorCodes)[number]

export const apiError = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
  requestId: z.string(),
  details: z.unknown().optional(),
})
export type ApiError = z.infer<typeof apiError>

/** Every non-2xx response of `/api/v1` has this body. */
export const errorEnvelope = z.object({ error: apiError })
export type ErrorEnvelope = z.infer<typeof errorEnvelope>

/** Timestamps travel as ISO 8601 strings with an offset (`JSON.stringify` of a Date). */
export const isoDateTime = z.iso.datetime({ offset: true })

export const uuid = z.uuid()

export const idParam = z.strictObject({ id: uuid })

/** Public model ids (`gpt-5-mini`) plus the `auto` routing alias. */
export const modelId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._:-]{0,63}$/, 'must be a model id such as "gpt-5-mini" or "auto"')

/** An opaque cursor handed out by a previous page. */
export const cursor = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by a previous page')

export const pageLimit = z.coerce.number().int().min(1).max(100)

export const pageQuery = z.strictObject({
  limit: pageLimit.default(30),
  cursor: cursor.optional(),
})
export type PageQuery = z.input<typeof pageQuery>

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: cursor.nullable() })

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

/**
 * Claims the database reads through `auth.uid()`, `auth.jwt()` and `auth.role()`. The role is
 * an allow-list: it becomes the Postgres role of the transaction.
 */
export const jwtClaims = z
  .looseObject({
    sub: uuid.optional(),
    role: z.enum(['authenticated', 'anon']),
    email: z.string().optional(),
    app_metadata: z.looseObject({ role: z.string().optional() }).optional(),
  })
  .refine((claims) => claims.role === 'anon' || claims.sub !== undefined, {
    message: 'authenticated claims need a subject',
    path: ['sub'],
  })
export type JwtClaims = z.infer<typeof jwtClaims>

/** The claims of a verified user access token: what every user-facing path runs with. */
export type VerifiedClaims = JwtClaims & { sub: string; role: 'authenticated' }
