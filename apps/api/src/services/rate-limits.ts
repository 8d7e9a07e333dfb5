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

/** A policy and what it counts, as a refusal names it (`requests`, `chat turns`). */
export interface RateLimit {
  policy: RatePolicy
  what: string
}

function decide(
  policy: RatePolicy,
  count: rateLimits.RateCount | undefined,
  at: Date,
): RateDecision {
  if (!count) throw new Error('no count for a rate limit policy')
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

/** Several decisions' headers as one set: each header's values as a list, in order. */
export function joinedHeaders(decisions: readonly RateDecision[]): Record<string, string> {
  const joined: Record<string, string> = {}
  for (const decision of decisions) {
    for (const [name, value] of Object.entries(decision.headers)) {
      joined[name] = joined[name] === undefined ? value : `${joined[name]}, ${value}`
    }
  }
  return joined
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

  /** Counts one hit of `subject` against each policy, in one statement; decisions in order. */
  async hit(policies: readonly RatePolicy[], subject: string): Promise<RateDecision[]> {
    const at = this.now()
    const counts = await rateLimits.hitRateLimits(this.#db, {
      keys: this.#keys(policies, subject),
      at,
    })
    this.#maybeSweep(at)
    return policies.map((policy, i) => decide(policy, counts[i], at))
  }

  /**
   * Counts a hit against each limit and throws the `rate_limited` envelope for the first one
   * over its quota; its headers name every policy, the refused one first.
   */
  async enforce(limits: readonly RateLimit[], subject: string): Promise<RateDecision[]> {
    const decisions = await this.hit(
      limits.map((limit) => limit.policy),
      subject,
    )
    refuseOver(limits, decisions)
    return decisions
  }

  /**
   * `enforce`, taking the stream `slot` in the same statement; a request refused by a limit
   * takes none. Whether the slot was taken is the caller's to act on.
   */
  async enforceTakingSlot(
    limits: readonly RateLimit[],
    subject: string,
    slot: rateLimits.StreamSlot,
  ): Promise<{ decisions: RateDecision[]; slot: rateLimits.SlotOutcome }> {
    const at = this.now()
    const policies = limits.map((limit) => limit.policy)
    const hits = await rateLimits.hitRateLimitsTakingSlot(this.#db, {
      keys: this.#keys(policies, subject),
      at,
      slot,
    })
    this.#maybeSweep(at)
    const decisions = policies.map((policy, i) => decide(policy, hits.counts[i], at))
    refuseOver(limits, decisions)
    return { decisions, slot: hits.slot }
  }

  #keys(policies: readonly RatePolicy[], subject: string): rateLimits.RateKey[] {
    return policies.map((policy) => ({
      key: this.key(policy.name, subject),
      windowSeconds: policy.windowSeconds,
      quota: policy.quota,
    }))
  }

  #maybeSweep(at: Date): void {
    this.#checks += 1
    if (this.#checks % sweepEvery !== 0) return
    const dayAgo = new Date(at.getTime() - 86_400_000)
    rateLimits.sweepRateLimits(this.#db, dayAgo).catch(() => {})
  }
}

/** Throws the `rate_limited` envelope for the first limit over its quota, if any. */
function refuseOver(limits: readonly RateLimit[], decisions: readonly RateDecision[]): void {
  const refused = decisions.findIndex((decision) => !decision.allowed)
  const decision = decisions[refused]
  const limit = limits[refused]
  if (!decision || !limit) return
  const { policy, what } = limit
  const others = decisions.filter((_, i) => i !== refused)
  throw new AppError(
    'rate_limited',
    `at most ${policy.quota} ${what} per ${policy.windowSeconds} s; try again in ${decision.resetSeconds} s`,
    {
      headers: {
        ...joinedHeaders([decision, ...others]),
        'Retry-After': String(decision.resetSeconds),
      },
    },
  )
}
