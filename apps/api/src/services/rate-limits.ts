import { type Database, rateLimits } from '@parley/db'
import { AppError } from '../errors.ts'

/** A limit of `quota` hits per `windowSeconds`, named in the RateLimit headers. */
export interface RatePolicy {
  name: string
  quota: number
  windowSeconds: number
}

export interface RateDecision {
  allowed: boolean
  /** `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers-11, §5 and §4). */
  headers: Record<string, string>
  /** Seconds until the window ends. */
  resetSeconds: number
}

/** Sweep old counters about once per this many checks in each process. */
const sweepEvery = 1_000

/**
 * Fixed-window counters kept in the database, so every instance on it shares them; one
 * statement per check. `now` is injectable so tests move time instead of waiting.
 */
export class RateLimiter {
  readonly #db: Database
  readonly #now: () => number
  /** Prefixes every key: tests sharing one database give each server its own counters. */
  readonly scope: string
  #checks = 0

  constructor(db: Database, options: { now?: () => number; scope?: string } = {}) {
    this.#db = db
    this.#now = options.now ?? Date.now
    this.scope = options.scope ?? ''
  }

  now(): Date {
    return new Date(this.#now())
  }

  /** The stored key of `name` for `subject`. */
  key(name: string, subject: string): string {
    return `${this.scope}${name}:${subject}`
  }

  async hit(policy: RatePolicy, subject: string): Promise<RateDecision> {
    const at = this.now()
    const count = await rateLimits.hitRateLimit(this.#db, {
      key: this.key(policy.name, subject),
      windowSeconds: policy.windowSeconds,
      at,
    })
    this.#maybeSweep(at)
    const resetSeconds = Math.max(1, Math.ceil((count.until.getTime() - at.getTime()) / 1000))
    const remaining = Math.max(0, policy.quota - count.hits)
    return {
      allowed: count.hits <= policy.quota,
      resetSeconds,
      headers: {
        'RateLimit-Policy': `"${policy.name}";q=${policy.quota};w=${policy.windowSeconds}`,
        RateLimit: `"${policy.name}";r=${remaining};t=${resetSeconds}`,
      },
    }
  }

  /** Counts a hit and throws the `rate_limited` envelope when it is over the quota. */
  async enforce(policy: RatePolicy, subject: string, what: string): Promise<RateDecision> {
    const decision = await this.hit(policy, subject)
    if (!decision.allowed) {
      throw new AppError(
        'rate_limited',
        `at most ${policy.quota} ${what} per ${policy.windowSeconds} s; try again in ${decision.resetSeconds} s`,
        { headers: { ...decision.headers, 'Retry-After': String(decision.resetSeconds) } },
      )
    }
    return decision
  }

  #maybeSweep(at: Date): void {
    this.#checks += 1
    if (this.#checks % sweepEvery !== 0) return
    const dayAgo = new Date(at.getTime() - 86_400_000)
    rateLimits.sweepRateLimits(this.#db, dayAgo).catch(() => {})
  }
}
