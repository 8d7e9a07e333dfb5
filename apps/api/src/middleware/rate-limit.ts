import { createMiddleware } from 'hono/factory'
import { clientAddress } from '../client-address.ts'
import type { AppEnv } from '../env.ts'
import { joinedHeaders } from '../services/rate-limits.ts'

/** Which per-user limit a route counts against. */
export type UserLimit = 'requests' | 'turns'

const policies = {
  requests: { name: 'requests', what: 'requests', setting: 'requestsPerMinute' },
  turns: { name: 'turns', what: 'chat turns', setting: 'turnsPerMinute' },
} as const

/**
 * Counts the request against each of the signed-in user's per-minute `limits` (after
 * `authenticate`), in one statement, answering `429 rate_limited` with `Retry-After` and the
 * RateLimit headers once one is spent. The first of these middlewares to run counts the request;
 * any later one lets it through, so a route can count against more limits, in the same round
 * trip, by coming before the one every route has.
 */
export function rateLimit(...limits: UserLimit[]) {
  const rated = limits.map((limit) => policies[limit])
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.get('rateCounted')) return next()
    c.set('rateCounted', true)
    const { limiter } = c.var.deps
    const decisions = await limiter.enforce(
      rated.map(({ name, what, setting }) => ({
        policy: { name, quota: c.var.deps.limits[setting], windowSeconds: 60 },
        what,
      })),
      c.var.claims.sub,
    )
    await next()
    // Several policies travel as lists (the draft allows it).
    for (const [name, value] of Object.entries(joinedHeaders(decisions))) c.header(name, value)
  })
}

/**
 * Counts a public (signed-out) request against its client address, with the same per-minute
 * quota a signed-in user has for requests.
 */
export function rateLimitByAddress() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const { limiter, limits, trustedProxies } = c.var.deps
    const decisions = await limiter.enforce(
      [
        {
          policy: { name: 'public', quota: limits.requestsPerMinute, windowSeconds: 60 },
          what: 'requests',
        },
      ],
      clientAddress(c, trustedProxies),
    )
    await next()
    for (const [name, value] of Object.entries(joinedHeaders(decisions))) c.header(name, value)
  })
}
