import { randomUUID } from 'node:crypto'
import { closeOrphanedReplies, type Database, renewReplyLeases } from '@parley/db'
import type { Logger } from 'pino'
import { safeError } from '../errors.ts'

export interface ReplyLeaseOptions {
  /** How often leases are renewed and orphaned replies looked for (default 5 s). */
  heartbeatMs?: number
  /** A lease not renewed for this long belongs to a server that is gone (default 30 s). */
  staleMs?: number
}

/**
 * When a streaming reply counts as orphaned: its lease was not renewed for `staleSeconds`, or it
 * has no lease and sat idle `unleasedSeconds` (its server died before its first heartbeat).
 */
export const orphanLimits = { staleSeconds: 30, unleasedSeconds: 300 }

/**
 * The heartbeat of this server instance on a shared Postgres: every few seconds it renews the
 * lease of all the replies it answers for, in one statement, and closes the streaming replies of
 * instances whose lease went stale (they died mid-reply), keeping the text they stored.
 */
export class ReplyLeases {
  readonly instanceId = randomUUID()
  readonly #db: Database
  readonly #owned: () => string[]
  readonly #logger: Logger
  readonly #heartbeatMs: number
  readonly #staleSeconds: number
  #timer: NodeJS.Timeout | undefined
  #beating: Promise<void> = Promise.resolve()

  constructor(
    db: Database,
    owned: () => string[],
    logger: Logger,
    options: ReplyLeaseOptions = {},
  ) {
    this.#db = db
    this.#owned = owned
    this.#logger = logger
    this.#heartbeatMs = options.heartbeatMs ?? 5_000
    this.#staleSeconds =
      options.staleMs === undefined ? orphanLimits.staleSeconds : options.staleMs / 1_000
  }

  start(): void {
    this.#timer ??= setInterval(() => {
      this.#beating = this.#beating.then(() => this.beat())
    }, this.#heartbeatMs).unref()
  }

  /** One heartbeat: renew this instance's leases, then close the replies of dead instances. */
  async beat(): Promise<void> {
    try {
      const owned = this.#owned()
      await this.#db.asService(async (tx) => {
        await renewReplyLeases(tx, this.instanceId, owned)
        const closed = await closeOrphanedReplies(tx, {
          staleSeconds: this.#staleSeconds,
          unleasedSeconds: orphanLimits.unleasedSeconds,
        })
        if (closed > 0) {
          this.#logger.warn({ messages: closed }, 'replies of a stopped server marked incomplete')
        }
      })
    } catch (error) {
      this.#logger.warn({ err: safeError(error) }, 'reply lease heartbeat')
    }
  }

  /** Stops the heartbeat (after the last beat in progress). */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#beating
  }
}
