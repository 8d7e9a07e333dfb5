export interface RetryPolicy {
  /** Tries per model, the first included, before falling back. */
  maxAttempts: number
  /** Full-jitter exponential backoff: a retry waits random(0, min(maxDelayMs, baseDelayMs * 2^(n-1))). */
  baseDelayMs: number
  maxDelayMs: number
  /** A provider's Retry-After is waited out up to this; asking for longer moves on to the fallback. */
  retryAfterCapMs: number
  /** An attempt that has produced no token after this long is abandoned (and may be retried). */
  ttftTimeoutMs: number
  /** Every attempt, retry and fallback before the first token happens within this from the call's start. */
  deadlineMs: number
  /** After the first token, a stream silent for this long ends with a timeout error. */
  streamIdleTimeoutMs: number
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  retryAfterCapMs: 10_000,
  ttftTimeoutMs: 30_000,
  deadlineMs: 60_000,
  streamIdleTimeoutMs: 60_000,
}

/**
 * How long to wait before retry number `attempt` (1 = the first retry), or null when the
 * provider asked for a longer pause than the cap allows.
 */
export function backoffDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
  random: () => number,
): number | null {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  const jittered = Math.floor(random() * ceiling)
  if (retryAfterMs === undefined) return jittered
  if (retryAfterMs > policy.retryAfterCapMs) return null
  return Math.min(policy.retryAfterCapMs, Math.max(retryAfterMs, jittered))
}
