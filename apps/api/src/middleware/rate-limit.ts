import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { clientAddress } from '../client-address.ts'
import type { AppEnv } from '../env.ts'
import { joinedHeaders, type RateLimit } from '../services/rate-limits.ts'
import { HeldStreamSlot } from '../services/stream-limiter.ts'

/** Which per-user limit a route counts against. */
export type UserLimit = 'requests' | 'turns'

const policies = {
  requests: { name: 'requests', what: 'requests', setting: 'requestsPerMinute' },
  turns: { name: 'turns', what: 'chat turns', setting: 'turnsPerMinute' },
} as const

/**
 * Counts the request against each of the signed-in user's per-minute `limits` (after
 * `authenticate`), in one statement, answering `429 rate_limited` with `Retry-After` and the
 * RateLimit headers once one is spent. A request counted already (by `rateLimitStreaming`, which
 * the turn routes run before the one every route has) goes through uncounted.
 */
export function rateLimit(...limits: UserLimit[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.get('rateCounted')) return next()
    c.set('rateCounted', true)
    const decisions = await c.var.deps.limiter.enforce(userLimits(c, limits), c.var.claims.sub)
    await next()
    // Several policies travel as lists (the draft allows it).
    for (const [name, value] of Object.entries(joinedHeaders(decisions))) c.header(name, value)
  })
}

/**
 * `rateLimit` for a route that streams a reply: the same statement that counts the request also
 * takes one of the user's stream slots (none when a limit refuses), so a chat turn is admitted
 * in one round trip. The handler's turn takes the slot over (`streamSlot`); one it did not take
 * (bad input, an error) is given back once the handler is done.
 */
export function rateLimitStreaming(...limits: UserLimit[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    c.set('rateCounted', true)
    const { limiter, streams } = c.var.deps
    const subject = c.var.claims.sub
    const slot = await streams.slotFor(subject)
    const admitted = await limiter.enforceTakingSlot(userLimits(c, limits), subject, slot)
    const headers = joinedHeaders(admitted.decisions)
    const held = new HeldStreamSlot(streams.hold(slot, admitted.slot, headers))
    c.set('streamSlot', held)
    try {
      await next()
    } finally {
      held.releaseUnlessTaken()
    }
    for (const [name, value] of Object.entries(headers)) c.header(name, value)
  })
}

function userLimits(c: Context<AppEnv>, limits: readonly UserLimit[]): RateLimit[] {
  return limits.map((limit) => {
    const { name, what, setting } = policies[limit]
    return { policy: { name, quota: c.var.deps.limits[setting], windowSeconds: 60 }, what }
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
