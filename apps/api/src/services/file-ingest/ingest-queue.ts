import type { Logger } from 'pino'
import { safeError } from '../../errors.ts'

/** A stored file waiting to be read: the job holds ids, never the bytes (memory stays flat). */
export interface IngestJob {
  fileId: string
  ownerId: string
  storageKey: string
  name: string
}

/**
 * Runs ingest jobs in this process, at most `concurrency` at once, in arrival order. Jobs record
 * their own failures; a job that throws anyway is logged and the queue goes on.
 */
export class IngestQueue {
  readonly #run: (job: IngestJob) => Promise<void>
  readonly #logger: Logger
  readonly #concurrency: number
  readonly #waiting: IngestJob[] = []
  readonly #running = new Set<Promise<void>>()
  #idle: (() => void)[] = []
  #stopped = false

  constructor(run: (job: IngestJob) => Promise<void>, logger: Logger, concurrency = 1) {
    this.#run = run
    this.#logger = logger
    this.#concurrency = concurrency
  }

  /** Queues a job; false once the queue stopped (the file stays `processing` for the next start). */
  enqueue(job: IngestJob): boolean {
    if (this.#stopped) return false
    this.#waiting.push(job)
    this.#next()
    return true
  }

  /** Jobs waiting or running. */
  get size(): number {
    return this.#waiting.length + this.#running.size
  }

  /** Resolves once no job is waiting or running. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  /**
   * For shutdown: takes no more jobs, forgets those not started (their files are picked up again
   * at the next start) and waits for the running ones.
   */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#waiting.length = 0
    await Promise.all(this.#running)
  }

  #next(): void {
    while (this.#running.size < this.#concurrency) {
      const job = this.#waiting.shift()
      if (!job) break
      const running: Promise<void> = this.#run(job)
        .catch((error: unknown) =>
          this.#logger.error({ err: safeError(error), fileId: job.fileId }, 'file ingest'),
        )
        .finally(() => {
          this.#running.delete(running)
          this.#next()
          if (this.size === 0) for (const resolve of this.#idle.splice(0)) resolve()
        })
      this.#running.add(running)
    }
  }
}
