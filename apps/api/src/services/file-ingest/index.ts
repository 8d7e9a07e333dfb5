import { randomUUID } from 'node:crypto'
import { type IngestClaim, recoverStuckFiles } from '@parley/db'
import { safeError } from '../../errors.ts'
import { type IngestDeps, ingestFile } from './ingest-file.ts'
import { renewIngestLeases } from './ingest-leases.ts'
import { type IngestJob, IngestQueue } from './ingest-queue.ts'

export { embedOperation, type IngestDeps } from './ingest-file.ts'
export type { IngestJob } from './ingest-queue.ts'

/** A file gets this many tries (a crash mid-read counts as one) before it is failed for good. */
export const maxIngestAttempts = 3

export interface FileIngestOptions {
  /** Files read at once by this server (default 1). */
  concurrency?: number
  /**
   * How long this server's claim on a file it reads holds without renewal (default 30 s): another
   * server takes the file over only after that. Renewed, and stuck files looked for, every third.
   */
  leaseSeconds?: number
}

export interface FileIngest {
  /** This server instance, as the owner of its claims on files. */
  readonly instanceId: string
  /** Queues a stored file's reading; false while shutting down (it is picked up at next start). */
  enqueue(job: IngestJob): boolean
  /**
   * At start: queues the files nobody reads now (a stopped server left them `processing`), and
   * fails those tried too often. Embedded, every claim is of a stopped run and is dropped first.
   */
  recover(): Promise<{ requeued: number; failed: number }>
  /** The same, later: files whose reader's claim ran out, or that waited unclaimed a lease. */
  sweep(): Promise<{ requeued: number; failed: number }>
  /** Renews this server's claims on the files it reads; stops runs whose file was taken over. */
  renew(): Promise<void>
  /** Starts the heartbeat: renew, then sweep, every third of the lease. */
  start(): void
  /** Resolves once no file is waiting or being read. */
  idle(): Promise<void>
  /** For shutdown: takes no more files, waits for those being read, then stops the heartbeat and the readers. */
  stop(): Promise<void>
}

/** Reads uploaded files in the background, one or two at a time, off the event loop. */
export function createFileIngest(
  deps: IngestDeps,
  { concurrency = 1, leaseSeconds = 30 }: FileIngestOptions = {},
): FileIngest {
  const instanceId = randomUUID()
  const claim: IngestClaim = { owner: instanceId, leaseSeconds, maxAttempts: maxIngestAttempts }
  const queue = new IngestQueue(
    (job, signal) => ingestFile(deps, job, claim, signal),
    deps.logger,
    concurrency,
  )
  const requeue = async (options: { releaseClaims?: boolean; unclaimedSeconds?: number }) => {
    const { requeue: found, failed } = await deps.db.asService((tx) =>
      recoverStuckFiles(tx, { maxAttempts: maxIngestAttempts, ...options }),
    )
    // Files already waiting or being read here are not news (an upload waiting its turn).
    const fresh = found.filter((file) => !queue.has(file.id))
    for (const file of fresh) {
      queue.enqueue({
        fileId: file.id,
        ownerId: file.userId,
        storageKey: file.storageKey,
        name: file.name,
      })
    }
    const counts = { requeued: fresh.length, failed: failed.length }
    if (counts.requeued + counts.failed > 0) {
      deps.logger.warn(counts, 'files left processing by a stopped or busy server, queued here')
    }
    return counts
  }
  const renew = () => renewIngestLeases(deps.db, queue, claim, deps.logger)
  const sweep = () => requeue({ unclaimedSeconds: leaseSeconds })
  let timer: NodeJS.Timeout | undefined
  let beating: Promise<unknown> = Promise.resolve()
  const beat = async () => {
    await renew()
    await sweep().catch((error: unknown) => {
      deps.logger.warn({ err: safeError(error) }, 'looking for files left processing')
    })
  }
  return {
    instanceId,
    enqueue: (job) => queue.enqueue(job),
    idle: () => queue.idle(),
    recover: () => requeue({ releaseClaims: deps.db.kind === 'pglite' }),
    sweep,
    renew,
    start() {
      timer ??= setInterval(
        () => {
          beating = beating.then(beat)
        },
        (leaseSeconds * 1000) / 3,
      ).unref()
    },
    async stop() {
      // The heartbeat goes on while the files being read finish, so their claims hold.
      await queue.stop()
      clearInterval(timer)
      timer = undefined
      await beating
      await deps.reader.close().catch((error: unknown) => {
        deps.logger.warn({ err: safeError(error) }, 'closing the document reader')
      })
    },
  }
}
