import { createMiddleware } from 'hono/factory'
import { clientAddress } from '../client-address.ts'
import type { AppEnv } from '../env.ts'

/** Which per-user limit a route counts against. */
export type UserLimit = 'requests' | 'turns'

const policies = {
  requests: { name: 'requests', what: 'requests', setting: 'requestsPerMinute' },
  turns: { name: 'turns', what: 'chat turns', setting: 'turnsPerMinute' },
} as const

/**
 * Counts the request against the signed-in user's per-minute `limit` (after `authenticate`),
 * answering `429 rate_limited` with `Retry-After` and the RateLimit headers once it is spent.
 */
export function rateLimit(limit: UserLimit) {
  const policy = policies[limit]
  return createMiddleware<AppEnv>(async (c, next) => {
    const { limiter, limits } = c.var.deps
    const decision = await limiter.enforce(
      { name: policy.name, quota: limits[policy.setting], windowSeconds: 60 },
      c.var.claims.sub,
      policy.what,
    )
    await next()
    // Appended: a chat turn answers with both its policies (a list, as the draft allows).
    for (const [name, value] of Object.entries(decision.headers)) {
      c.header(name, value, { append: true })
    }
  })
}

/**
 * Counts a public (signed-out) request against its client address, with the same per-minute
 * quota a signed-in user has for requests.
 */
export function rateLimitByAddress() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const { limiter, limits, trustedProxies } = c.var.deps
    const decision = await limiter.enforce(
      { name: 'public', quota: limits.requestsPerMinute, windowSeconds: 60 },
      clientAddress(c, trustedProxies),
      'requests',
    )
    await next()
    for (const [name, value] of Object.entries(decision.headers)) c.header(name, value)
  })
}
