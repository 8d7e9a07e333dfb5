import { abortedError, LlmError } from '../errors.ts'

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
    return new LlmError('rate_limited', { ...base, ...retryAfter(failure.headers) })
  }
  if (status === 408 || type === 'timeout_error') return new LlmError('timeout', base)
  if (
    status === 502 ||
    status === 503 ||
    status === 504 ||
    status === 529 ||
    type === 'overloaded_error'
  ) {
    return new LlmError('provider_unavailable', { ...base, ...retryAfter(failure.headers) })
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

function retryAfter(headers: Headers | undefined): { retryAfterMs?: number } {
  const retryAfterMs = parseRetryAfter(headers)
  return retryAfterMs === undefined ? {} : { retryAfterMs }
}

type ErrorClass<E extends Error = Error> = abstract new (...args: never[]) => E

/** What the `APIError` of both official SDKs carries. */
interface SdkApiError extends Error {
  readonly status: number | undefined
  readonly headers: Headers | undefined
  readonly type?: string | null | undefined
}

/** The error classes an official SDK's client class carries as statics (`OpenAI.APIError`, ...). */
export interface SdkErrorClasses<E extends SdkApiError> {
  APIError: ErrorClass<E>
  APIConnectionError: ErrorClass
  APIConnectionTimeoutError: ErrorClass
  APIUserAbortError: ErrorClass
}

export type SdkErrorMapper = (error: unknown, signal: AbortSignal) => LlmError

/**
 * Maps whatever an SDK call threw (HTTP error, timeout, lost connection, abort) to an LlmError.
 * `codeOf` reads the SDK's stable error code (OpenAI's `code`, Anthropic's `errorCode`).
 */
export function sdkErrorMapper<E extends SdkApiError>(
  provider: string,
  sdk: SdkErrorClasses<E>,
  codeOf: (error: E) => string | null | undefined,
): SdkErrorMapper {
  return (error, signal) => {
    if (error instanceof LlmError) return error
    if (signal.aborted || error instanceof sdk.APIUserAbortError) return abortedError(provider)
    if (error instanceof sdk.APIConnectionTimeoutError) {
      return new LlmError('timeout', { detail: describeError(error), provider })
    }
    if (error instanceof sdk.APIConnectionError) return connectionError(error, provider)
    if (error instanceof sdk.APIError) {
      return classifyHttpFailure({
        status: error.status,
        headers: error.headers,
        type: error.type,
        code: codeOf(error),
        detail: error.message,
        provider,
      })
    }
    // Body read failures (socket closed mid-stream) surface from fetch as plain errors.
    return connectionError(error, provider)
  }
}

/** A transport failure (refused, reset, DNS, socket closed mid-body). */
function connectionError(error: unknown, provider: string): LlmError {
  return new LlmError('provider_unavailable', { detail: describeError(error), provider })
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
    return `${error.name}: ${error.message}${cause}`
  }
  return String(error)
}
