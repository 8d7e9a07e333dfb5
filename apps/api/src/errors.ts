import { DbError } from '@parley/db'
import type { ErrorCode, ErrorEnvelope } from '@parley/schema/contracts'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

const statusOf: Record<ErrorCode, ContentfulStatusCode> = {
  validation_error: 400,
  unauthorized: 401,
  anonymous_not_allowed: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  quota_exceeded: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  empty_file: 422,
  rate_limited: 429,
  budget_exceeded: 402,
  share_revoked: 410,
  internal_error: 500,
  provider_error: 502,
  provider_unavailable: 503,
  service_unavailable: 503,
  auth_unavailable: 503,
  draining: 503,
}

const byStatus: Partial<Record<number, ErrorCode>> = Object.fromEntries(
  Object.entries(statusOf).map(([code, status]) => [status, code as ErrorCode]),
)
byStatus[401] = 'unauthorized'
byStatus[503] = 'service_unavailable'

/** An error whose code and message are safe to show the client. */
export class AppError extends Error {
  override readonly name = 'AppError'
  readonly code: ErrorCode
  readonly status: ContentfulStatusCode
  readonly details: unknown
  readonly headers: Record<string, string>

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: unknown; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
    this.code = code
    this.status = statusOf[code]
    this.details = options.details
    this.headers = options.headers ?? {}
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`)
/**
 * A body over its limit. The unread rest is still on the wire: the connection is closed so the
 * client does not send its next request down a socket the server is about to drop.
 */
export const payloadTooLarge = (message: string) =>
  new AppError('payload_too_large', message, { headers: { connection: 'close' } })
export const unauthorized = (message = 'a valid access token is required') =>
  new AppError('unauthorized', message)

const dbCodeToApp = {
  not_found: 'not_found',
  conflict: 'conflict',
  forbidden: 'forbidden',
  invalid_input: 'validation_error',
  quota_exceeded: 'quota_exceeded',
  unavailable: 'service_unavailable',
  unauthorized: 'unauthorized',
} as const satisfies Record<DbError['code'], ErrorCode>

/** Any thrown value as an `AppError`; unknown errors become a bare 500 (details stay in logs). */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error
  if (error instanceof HTTPException) {
    // Raised by Hono itself, e.g. for a body that is not valid JSON.
    const code = byStatus[error.status] ?? 'internal_error'
    const message = code === 'internal_error' ? 'something went wrong on our side' : error.message
    return new AppError(code, message || code.replaceAll('_', ' '), { cause: error })
  }
  if (error instanceof DbError) {
    return new AppError(dbCodeToApp[error.code], error.message, {
      cause: error,
      ...(error.issues ? { details: { issues: error.issues } } : {}),
      ...(error.quota ? { details: error.quota } : {}),
    })
  }
  return new AppError('internal_error', 'something went wrong on our side', { cause: error })
}

export function errorBody(error: AppError, requestId: string): ErrorEnvelope {
  return {
    error: {
      code: error.code,
      message: error.message,
      requestId,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  }
}

/** Error details fit for logs: never query parameters (they can hold message text). */
export function safeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: String(error) }
  const cause = (error as { cause?: unknown }).cause
  const hasQuery = 'query' in error || 'params' in error
  return {
    name: error.name,
    message: hasQuery ? 'database query failed' : error.message,
    ...('code' in error ? { code: (error as { code: unknown }).code } : {}),
    ...('sqlState' in error ? { sqlState: (error as { sqlState: unknown }).sqlState } : {}),
    ...(cause ? { cause: safeError(cause) } : {}),
    stack: hasQuery ? undefined : error.stack,
  }
}
