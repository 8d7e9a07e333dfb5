import { randomUUID } from 'node:crypto'
import { type Database, rateLimits } from '@parley/db'
import { AppError } from '../errors.ts'

export interface StreamLimiterOptions {
  db: Database
  /** Replies one user may stream at once, across every instance on the database. */
  max: number
  /** A slot lapses this long after its holder last renewed it (a crashed instance's slots). */
  ttlSeconds?: number
  now?: () => number
}

/**
 * Caps how many replies one user may stream at once, counted in the database so the cap holds
 * across instances. Each slot is a row with an expiry this process renews while the reply
 * streams; an instance that dies stops renewing and its slots lapse.
 */
export class StreamLimiter {
  readonly #db: Database
  readonly #max: number
  readonly #ttlSeconds: number
  readonly #now: () => number
  readonly #held = new Set<string>()
  readonly #releasing = new Set<Promise<void>>()
  #renewal: ReturnType<typeof setInterval> | undefined

  constructor(options: StreamLimiterOptions) {
    this.#db = options.db
    this.#max = options.max
    this.#ttlSeconds = options.ttlSeconds ?? 60
    this.#now = options.now ?? Date.now
  }

  /** Takes a slot for the user or throws `rate_limited`; call the returned function to give it back. */
  async acquire(userId: string): Promise<() => void> {
    const slot = await this.slotFor(userId)
    const lapses = await rateLimits.takeStreamSlot(this.#db, { ...slot, at: new Date(this.#now()) })
    return this.hold(slot, lapses ? { taken: false, lapses } : { taken: true })
  }

  /**
   * A new slot for the user, for a statement to take (`acquire`'s own, or one that counts the
   * request's rate limits too); `hold` then turns what it did into a release or a refusal.
   */
  async slotFor(userId: string): Promise<rateLimits.StreamSlot> {
    // This process's own releases land first, so a slot given back here is free here.
    await Promise.all(this.#releasing)
    return { id: randomUUID(), userId, max: this.#max, ttlSeconds: this.#ttlSeconds }
  }

  /**
   * The release of `slot` once taken (renewed until then), or the `rate_limited` refusal when it
   * was not, with `headers` added to the refusal's.
   */
  hold(
    slot: rateLimits.StreamSlot,
    outcome: rateLimits.SlotOutcome,
    headers: Record<string, string> = {},
  ): () => void {
    if (!outcome.taken) {
      throw new AppError(
        'rate_limited',
        `at most ${this.#max} replies can stream at once; wait for one to finish`,
        { headers: { ...headers, 'Retry-After': '5' } },
      )
    }
    const { id } = slot
    this.#hold(id)
    let released = false
    return () => {
      if (released) return
      released = true
      this.#held.delete(id)
      if (this.#held.size === 0) this.#stopRenewal()
      const done = rateLimits.releaseStreamSlot(this.#db, id).catch(() => {
        // The row lapses on its own.
      })
      this.#releasing.add(done)
      void done.finally(() => this.#releasing.delete(done))
    }
  }

  #hold(id: string): void {
    this.#held.add(id)
    if (this.#renewal) return
    this.#renewal = setInterval(
      () => {
        const expiresAt = new Date(this.#now() + this.#ttlSeconds * 1000)
        rateLimits.renewStreamSlots(this.#db, { ids: [...this.#held], expiresAt }).catch(() => {})
      },
      (this.#ttlSeconds * 1000) / 3,
    )
    this.#renewal.unref()
  }

  #stopRenewal(): void {
    clearInterval(this.#renewal)
    this.#renewal = undefined
  }
}

/**
 * A stream slot a request took with its rate limits, until a turn takes it over (`take`, once);
 * whatever no turn took is given back with `releaseUnlessTaken`.
 */
export class HeldStreamSlot {
  #release: (() => void) | undefined

  constructor(release: () => void) {
    this.#release = release
  }

  /** The slot's release, now the caller's to call; undefined once taken. */
  take(): (() => void) | undefined {
    const release = this.#release
    this.#release = undefined
    return release
  }

  releaseUnlessTaken(): void {
    this.take()?.()
  }
}
