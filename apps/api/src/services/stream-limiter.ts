import { AppError } from '../errors.ts'

/** Caps how many replies one user may stream at once (in this process). */
export class StreamLimiter {
  readonly #max: number
  readonly #active = new Map<string, number>()

  constructor(maxPerUser: number) {
    this.#max = maxPerUser
  }

  /** Takes a slot for the user or throws `rate_limited`; call the returned function to give it back. */
  acquire(userId: string): () => void {
    const current = this.#active.get(userId) ?? 0
    if (current >= this.#max) {
      throw new AppError(
        'rate_limited',
        `at most ${this.#max} replies can stream at once; wait for one to finish`,
        { headers: { 'Retry-After': '5' } },
      )
    }
    this.#active.set(userId, current + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.#active.get(userId) ?? 1) - 1
      if (left <= 0) this.#active.delete(userId)
      else this.#active.set(userId, left)
    }
  }
}
