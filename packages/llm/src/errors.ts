export type LlmErrorCode =
  | 'rate_limited'
  | 'provider_error'
  | 'provider_unavailable'
  | 'timeout'
  | 'context_length_exceeded'
  | 'invalid_request'
  | 'unknown_model'
  | 'aborted'

/** Messages safe to show an end user: no upstream wording, ids or keys. */
const userMessages: Record<LlmErrorCode, string> = {
  rate_limited: 'The model provider is rate limiting requests. Please try again in a moment.',
  provider_error: 'The model provider returned an error.',
  provider_unavailable: 'The model provider is unavailable right now. Please try again shortly.',
  timeout: 'The model provider took too long to respond.',
  context_length_exceeded:
    'This conversation is too long for the model. Start a new conversation or choose a model with a larger context window.',
  invalid_request: 'The model provider rejected the request.',
  unknown_model: 'This model is not available.',
  aborted: 'The request was cancelled.',
}

export interface LlmErrorOptions {
  retryable?: boolean
  /** User-facing message; defaults to a fixed sentence per code. */
  message?: string
  /** Upstream detail for logs only; may contain provider wording, never shown to users. */
  detail?: string
  status?: number
  retryAfterMs?: number
  provider?: string
}

/** A normalised failure of a model call. `message` is always safe to show a user. */
export class LlmError extends Error {
  override readonly name = 'LlmError'
  readonly code: LlmErrorCode
  readonly retryable: boolean
  readonly detail: string | undefined
  readonly status: number | undefined
  readonly retryAfterMs: number | undefined
  readonly provider: string | undefined

  constructor(code: LlmErrorCode, options: LlmErrorOptions = {}) {
    super(options.message ?? userMessages[code])
    this.code = code
    this.retryable = options.retryable ?? defaultRetryable(code)
    this.detail = options.detail
    this.status = options.status
    this.retryAfterMs = options.retryAfterMs
    this.provider = options.provider
  }

  toJSON(): { code: LlmErrorCode; message: string; retryable: boolean } {
    return { code: this.code, message: this.message, retryable: this.retryable }
  }
}

function defaultRetryable(code: LlmErrorCode): boolean {
  return (
    code === 'rate_limited' ||
    code === 'provider_unavailable' ||
    code === 'timeout' ||
    code === 'provider_error'
  )
}

/**
 * Reads `retry-after-ms` (OpenAI's precise variant) or `retry-after` (seconds or an HTTP date).
 * Returns undefined when absent or unparseable.
 */
export function parseRetryAfter(
  headers: Headers | undefined,
  nowMs = Date.now(),
): number | undefined {
  if (!headers) return undefined
  const precise = headers.get('retry-after-ms')
  if (precise !== null) {
    const ms = Number(precise)
    if (Number.isFinite(ms) && ms >= 0) return ms
  }
  const value = headers.get('retry-after')
  if (value === null || value.trim() === '') return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

const contextPatterns = [
  /context[_ ]length/i,
  /maximum context/i,
  /prompt is too long/i,
  /context window/i,
  /too many tokens/i,
]

export interface HttpFailure {
  status: number | undefined
  headers?: Headers | undefined
  /** Provider error type (`rate_limit_error`, `invalid_request_error`, ...). */
  type?: string | null | undefined
  /** Provider error code (`context_length_exceeded`, ...). */
  code?: string | null | undefined
  detail: string
  provider: string
}

/** Maps an upstream HTTP or in-stream failure to a normalised error. */
export function classifyHttpFailure(failure: HttpFailure): LlmError {
  const { status, type, code, detail, provider } = failure
  const base = { detail, provider, ...(status === undefined ? {} : { status }) }
  const looksLikeContext =
    code === 'context_length_exceeded' || contextPatterns.some((p) => p.test(detail))
  if (status === 429 || type === 'rate_limit_error') {
    const retryAfterMs = parseRetryAfter(failure.headers)
    return new LlmError('rate_limited', {
      ...base,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    })
  }
  if (status === 408 || type === 'timeout_error') return new LlmError('timeout', base)
  if (
    status === 502 ||
    status === 503 ||
    status === 504 ||
    status === 529 ||
    type === 'overloaded_error'
  ) {
    const retryAfterMs = parseRetryAfter(failure.headers)
    return new LlmError('provider_unavailable', {
      ...base,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    })
  }
  if (status !== undefined && status >= 500) return new LlmError('provider_error', base)
  if (status === 400 || status === 413 || status === 422) {
    return looksLikeContext
      ? new LlmError('context_length_exceeded', { ...base, retryable: false })
      : new LlmError('invalid_request', { ...base, retryable: false })
  }
  if (status === 401 || status === 403 || status === 404) {
    return new LlmError('provider_error', { ...base, retryable: false })
  }
  if (status === undefined) {
    // An error event inside a 200 stream: the provider failed while generating.
    if (looksLikeContext)
      return new LlmError('context_length_exceeded', { ...base, retryable: false })
    return new LlmError('provider_error', base)
  }
  return new LlmError('provider_error', { ...base, retryable: false })
}

export function abortedError(provider?: string): LlmError {
  return new LlmError('aborted', { retryable: false, ...(provider ? { provider } : {}) })
}

/** A transport failure (refused, reset, DNS, socket closed mid-body). */
export function connectionError(detail: string, provider: string): LlmError {
  return new LlmError('provider_unavailable', { detail, provider })
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
    return `${error.name}: ${error.message}${cause}`
  }
  return String(error)
}

/** A stream that stopped (cleanly or not) before the provider said the reply was finished. */
export function streamEndedEarly(provider: string): LlmError {
  return new LlmError('provider_error', {
    message: 'The reply was interrupted by the model provider.',
    detail: 'stream ended before a finish reason',
    provider,
  })
}
