import type { Logger } from 'pino'
import { safeError } from '../errors.ts'

export interface LogQueueOptions {
  /** A batch is written at most this long after its first row is queued. */
  flushMs?: number
  /** A batch is written as soon as this many rows wait. */
  batchRows?: number
  /** Attempts at writing a batch before its rows are dropped. */
  maxAttempts?: number
  /** Beyond this many waiting rows (the database is down), the newest are dropped. */
  maxQueued?: number
}

interface Queued<Row> {
  row: Row
  attempts: number
}

/**
 * Rows written in batches, off the request's path: `push` never waits and never throws; a
 * timer or a full batch writes them with one insert. A failed write is logged and its rows are
 * retried with the next batch, a bounded number of times, then dropped.
 */
export class LogQueue<Row> {
  private readonly write: (rows: Row[]) => Promise<void>
  private readonly logger: Logger
  private readonly name: string
  private readonly flushMs: number
  private readonly batchRows: number
  private readonly maxAttempts: number
  private readonly maxQueued: number
  private queued: Queued<Row>[] = []
  private timer: NodeJS.Timeout | undefined
  private writing: Promise<void> = Promise.resolve()
  private dropped = 0

  constructor(
    name: string,
    write: (rows: Row[]) => Promise<void>,
    logger: Logger,
    options: LogQueueOptions = {},
  ) {
    this.name = name
    this.write = write
    this.logger = logger
    this.flushMs = options.flushMs ?? 1_000
    this.batchRows = options.batchRows ?? 100
    this.maxAttempts = options.maxAttempts ?? 3
    this.maxQueued = options.maxQueued ?? 10_000
  }

  /** Queues one row; never throws, never waits. */
  push(row: Row): void {
    if (this.queued.length >= this.maxQueued) {
      this.dropped += 1
      return
    }
    this.queued.push({ row, attempts: 0 })
    if (this.queued.length >= this.batchRows) void this.flush()
    else this.schedule()
  }

  /** Writes every row queued so far (after any write under way); resolves once it is done. */
  flush(): Promise<void> {
    this.clearTimer()
    this.writing = this.writing.then(() => this.writeQueued())
    return this.writing
  }

  get size(): number {
    return this.queued.length
  }

  private schedule(): void {
    if (this.timer) return
    this.timer = setTimeout(() => void this.flush(), this.flushMs)
    this.timer.unref()
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }

  private async writeQueued(): Promise<void> {
    while (this.queued.length > 0) {
      const batch = this.queued.splice(0, this.batchRows)
      try {
        await this.write(batch.map((entry) => entry.row))
      } catch (error) {
        this.failed(batch, error)
        break
      }
    }
    if (this.dropped > 0) {
      this.logger.warn({ log: this.name, rows: this.dropped }, 'log rows dropped: queue full')
      this.dropped = 0
    }
  }

  /** Puts a failed batch back for the next write, less the rows out of attempts. */
  private failed(batch: Queued<Row>[], error: unknown): void {
    const retry = batch
      .map((entry) => ({ row: entry.row, attempts: entry.attempts + 1 }))
      .filter((entry) => entry.attempts < this.maxAttempts)
    this.logger.error(
      {
        log: this.name,
        rows: batch.length,
        dropping: batch.length - retry.length,
        err: safeError(error),
      },
      'writing log rows failed',
    )
    this.queued.unshift(...retry)
    if (this.queued.length > 0) this.schedule()
  }
}
