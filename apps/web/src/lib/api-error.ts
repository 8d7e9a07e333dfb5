import type { ErrorCode } from '@parley/schema/contracts'

/** Codes the server sends, plus `network_error` for a request that never got an answer. */
export type ApiErrorCode = ErrorCode | 'network_error'

/** A failed call to the API, carrying the server's error envelope when there was one. */
export class ApiRequestError extends Error {
  readonly status: number
  readonly code: ApiErrorCode
  readonly requestId: string | null
  /** Seconds to wait before trying again, from `Retry-After`. */
  readonly retryAfterSeconds: number | null
  /** The envelope's `details`, when it had any. */
  readonly details: unknown

  constructor(init: {
    status: number
    code: ApiErrorCode
    message: string
    requestId?: string | null
    retryAfterSeconds?: number | null
    details?: unknown
  }) {
    super(init.message)
    this.name = 'ApiRequestError'
    this.status = init.status
    this.code = init.code
    this.requestId = init.requestId ?? null
    this.retryAfterSeconds = init.retryAfterSeconds ?? null
    this.details = init.details
  }
}

/**
 * Whether the server refused the session itself, so the user must sign in again. An outage
 * (`auth_unavailable`, 5xx, no answer at all) leaves the session alone.
 */
export function endsSession(error: unknown): boolean {
  return (
    error instanceof ApiRequestError &&
    error.status === 401 &&
    (error.code === 'unauthorized' || error.code === 'anonymous_not_allowed')
  )
}

const friendly: Partial<Record<ApiErrorCode, string>> = {
  network_error: 'Parley could not reach the server. Check your connection and try again.',
  unauthorized: 'Your session has ended. Sign in again.',
  anonymous_not_allowed: 'Guest sessions are not accepted here. Sign in with an account.',
  auth_unavailable: 'Parley cannot check your sign-in right now. Try again in a moment.',
  not_found: 'This was not found. It may have been deleted.',
  rate_limited: 'Too many requests right now.',
  payload_too_large: 'That message is too long to send.',
  internal_error: 'Something went wrong on the server.',
  provider_error: 'The model provider returned an error.',
  provider_unavailable: 'The model provider is unavailable right now.',
  service_unavailable: 'Parley is unavailable right now.',
  draining: 'Parley is restarting. Try again in a moment.',
}

const resetDate = new Intl.DateTimeFormat('en', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'UTC',
})

/** A refused send over budget, in words: what is left and when the budget starts again. */
export function describeBudgetExceeded(details: unknown): string {
  const { remainingUsd, resetsAt } = (details ?? {}) as {
    remainingUsd?: unknown
    resetsAt?: unknown
  }
  const left = typeof remainingUsd === 'string' ? ` Your budget has $${remainingUsd} left,` : ''
  const reset = typeof resetsAt === 'string' ? new Date(resetsAt) : null
  const when =
    reset && !Number.isNaN(reset.getTime()) ? ` It resets on ${resetDate.format(reset)} UTC.` : ''
  return `This message could cost more than your spending budget allows.${left ? `${left} too little for it.` : ''}${when}`
}

/** A sentence for people, preferring the server's own message for validation problems. */
export function describeError(error: unknown): string {
  if (error instanceof ApiRequestError) {
    if (error.code === 'budget_exceeded') return describeBudgetExceeded(error.details)
    const wait =
      error.retryAfterSeconds !== null ? ` Try again in ${error.retryAfterSeconds} s.` : ''
    if (error.code === 'validation_error' || error.code === 'conflict') return error.message
    const base = friendly[error.code] ?? error.message
    return `${base}${wait}`
  }
  if (error instanceof Error && error.message) return error.message
  return 'Something went wrong.'
}
