/**
 * Counts events per key in a sliding window of fixed buckets and says when a key is over its
 * limit. In memory: the embedded auth server runs as one process.
 */
export class Throttle {
  readonly #limit: number
  readonly #windowMs: number
  readonly #now: () => number
  readonly #hits = new Map<string, number[]>()

  constructor(options: { limit: number; windowMs: number; now?: () => number }) {
    this.#limit = options.limit
    this.#windowMs = options.windowMs
    this.#now = options.now ?? Date.now
  }

  /** Seconds until the key may try again, or 0 when it is within its limit. */
  retryAfter(key: string): number {
    const hits = this.#recent(key)
    if (hits.length < this.#limit) return 0
    const oldest = hits[0] ?? this.#now()
    return Math.max(1, Math.ceil((oldest + this.#windowMs - this.#now()) / 1000))
  }

  hit(key: string): void {
    const hits = this.#recent(key)
    hits.push(this.#now())
    this.#hits.set(key, hits)
    if (this.#hits.size > 10_000) this.#sweep()
  }

  reset(key: string): void {
    this.#hits.delete(key)
  }

  #recent(key: string): number[] {
    const since = this.#now() - this.#windowMs
    return (this.#hits.get(key) ?? []).filter((at) => at > since)
  }

  #sweep(): void {
    for (const key of this.#hits.keys()) {
      const recent = this.#recent(key)
      if (recent.length === 0) this.#hits.delete(key)
      else this.#hits.set(key, recent)
    }
  }
}
