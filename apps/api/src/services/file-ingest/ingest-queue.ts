import type { Logger } from 'pino'
import { safeError } from '../../errors.ts'

/** A stored file waiting to be read: the job holds ids, never the bytes (memory stays flat). */
export interface IngestJob {
  fileId: string
  ownerId: string
  storageKey: string
  name: string
}

/** A job waiting its turn, with its owner's round (their nth file waiting or running). */
interface Waiting {
  job: IngestJob
  round: number
}

/**
 * Runs ingest jobs in this process, at most `concurrency` at once, each file once (a file already
 * waiting or running is not queued again). Owners take turns: a job's round is one past its
 * owner's latest waiting or running job, and never before the round being served, so one user's
 * hundred uploads do not hold up another's one; within a round, jobs run in arrival order. Jobs
 * record their own failures; a job that throws anyway is logged and the queue goes on.
 */
export class IngestQueue {
  readonly #run: (job: IngestJob, signal: AbortSignal) => Promise<void>
  readonly #logger: Logger
  readonly #concurrency: number
  readonly #waiting: Waiting[] = []
  readonly #running = new Map<
    string,
    { done: Promise<void>; abort: AbortController; ownerId: string; round: number }
  >()
  /** The round of the job started last. */
  #round = 0
  #idle: (() => void)[] = []
  #stopped = false

  constructor(
    run: (job: IngestJob, signal: AbortSignal) => Promise<void>,
    logger: Logger,
    concurrency = 1,
  ) {
    this.#run = run
    this.#logger = logger
    this.#concurrency = concurrency
  }

  /** Queues a job; false once the queue stopped (the file stays `processing` for the next start). */
  enqueue(job: IngestJob): boolean {
    if (this.#stopped) return false
    if (this.has(job.fileId)) return true
    this.#waiting.push({ job, round: this.#roundFor(job.ownerId) })
    this.#next()
    return true
  }

  /** Whether a file is waiting or being read here. */
  has(fileId: string): boolean {
    return this.#running.has(fileId) || this.#waiting.some((w) => w.job.fileId === fileId)
  }

  /** Jobs waiting or running. */
  get size(): number {
    return this.#waiting.length + this.#running.size
  }

  /** The files being read now. */
  get runningFileIds(): string[] {
    return [...this.#running.keys()]
  }

  /** Stops reading a file (its claim went to another server); the job ends without a record. */
  abort(fileId: string): void {
    this.#running.get(fileId)?.abort.abort(new Error('the file was taken over by another server'))
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
    await Promise.all([...this.#running.values()].map((running) => running.done))
  }

  /** One past the owner's latest job waiting or running, and not before the round being served. */
  #roundFor(ownerId: string): number {
    let latest = -1
    for (const w of this.#waiting) if (w.job.ownerId === ownerId) latest = Math.max(latest, w.round)
    for (const r of this.#running.values())
      if (r.ownerId === ownerId) latest = Math.max(latest, r.round)
    return Math.max(this.#round, latest + 1)
  }

  /** Removes and returns the waiting job of the lowest round; the earliest among equals. */
  #take(): Waiting | undefined {
    let best = -1
    for (const [i, w] of this.#waiting.entries()) {
      const current = this.#waiting[best]
      if (!current || w.round < current.round) best = i
    }
    return best < 0 ? undefined : this.#waiting.splice(best, 1)[0]
  }

  #next(): void {
    while (this.#running.size < this.#concurrency) {
      const taken = this.#take()
      if (!taken) break
      const { job, round } = taken
      this.#round = round
      const abort = new AbortController()
      const done: Promise<void> = this.#run(job, abort.signal)
        .catch((error: unknown) =>
          this.#logger.error({ err: safeError(error), fileId: job.fileId }, 'file ingest'),
        )
        .finally(() => {
          this.#running.delete(job.fileId)
          this.#next()
          if (this.size === 0) for (const resolve of this.#idle.splice(0)) resolve()
        })
      this.#running.set(job.fileId, { done, abort, ownerId: job.ownerId, round })
    }
  }
}
