import { setTimeout as delay } from 'node:timers/promises'
import { isTransientDbError } from '@parley/db'
import type { Logger } from 'pino'
import { safeError } from '../../errors.ts'

export interface SettleRetry {
  /** First wait between attempts; each later wait may be twice as long. */
  baseDelayMs: number
  /** Longest wait between attempts. */
  maxDelayMs: number
}

export const defaultSettleRetry: SettleRetry = { baseDelayMs: 250, maxDelayMs: 15_000 }

/**
 * The end-of-turn writes the database could not take for now (it was unreachable, restarting or
 * out of connections). The outcome stays in memory and is
 * written again with capped, full-jitter backoff until the database answers, or until the
 * process drains, which makes one last attempt at each.
 */
export class PendingSettles {
  readonly #pending = new Map<string, Promise<void>>()
  readonly #draining = new AbortController()
  readonly #retry: SettleRetry

  constructor(retry: SettleRetry = defaultSettleRetry) {
    this.#retry = retry
  }

  /** The replies whose outcome is waiting to be stored. */
  get ids(): string[] {
    return [...this.#pending.keys()]
  }

  /**
   * Runs `write`. When the database could not take it for now, resolves with `unsaved()` at once
   * and keeps calling `rewrite` in the background; other failures are thrown.
   */
  async settle<T>(
    logger: Logger,
    replyId: string,
    write: { first: () => Promise<T>; rewrite: () => Promise<unknown>; unsaved: () => T },
  ): Promise<T> {
    try {
      return await write.first()
    } catch (error) {
      if (!isTransientDbError(error)) throw error
      logger.warn({ err: safeError(error), messageId: replyId }, 'reply not stored yet: retrying')
      const retrying = this.#rewrite(logger, replyId, write.rewrite).finally(() =>
        this.#pending.delete(replyId),
      )
      this.#pending.set(replyId, retrying)
      return write.unsaved()
    }
  }

  /** Resolves once the reply's outcome is stored or given up on (at once when none waits). */
  async stored(replyId: string): Promise<void> {
    await this.#pending.get(replyId)
  }

  /** Stops waiting between attempts: each pending outcome gets one last attempt. */
  async drain(): Promise<void> {
    this.#draining.abort()
    await Promise.allSettled([...this.#pending.values()])
  }

  async #rewrite(logger: Logger, replyId: string, rewrite: () => Promise<unknown>) {
    for (let attempt = 1; ; attempt++) {
      const last = this.#draining.signal.aborted
      if (!last) {
        await delay(this.#backoff(attempt), undefined, { signal: this.#draining.signal }).catch(
          () => undefined,
        )
      }
      try {
        await rewrite()
        logger.info({ messageId: replyId, attempts: attempt + 1 }, 'reply stored after retrying')
        return
      } catch (error) {
        if (last || !isTransientDbError(error)) {
          logger.error({ err: safeError(error), messageId: replyId }, 'reply could not be stored')
          return
        }
      }
    }
  }

  #backoff(attempt: number): number {
    const ceiling = Math.min(this.#retry.maxDelayMs, this.#retry.baseDelayMs * 2 ** (attempt - 1))
    return Math.random() * ceiling
  }
}
