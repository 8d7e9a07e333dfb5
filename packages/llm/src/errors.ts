export type LlmErrorCode =
  | 'rate_limited'
  | 'provider_error'
  | 'provider_unavailable'
  | 'timeout'
  | 'context_length_exceeded'
  | 'invalid_request'
  | 'unknown_model'
  | 'aborted'
  /** The caller's `admitModel` would not let the call go on to the next model. */
  | 'refused'

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
  refused: 'The request was not allowed to go on to another model.',
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

export function abortedError(provider?: string): LlmError {
  return new LlmError('aborted', { retryable: false, ...(provider ? { provider } : {}) })
}

/** A stream that stopped (cleanly or not) before the provider said the reply was finished. */
export function streamEndedEarly(provider: string): LlmError {
  return new LlmError('provider_error', {
    message: 'The reply was interrupted by the model provider.',
    detail: 'stream ended before a finish reason',
    provider,
  })
}
