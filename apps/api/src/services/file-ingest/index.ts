import { recoverStuckFiles } from '@parley/db'
import { safeError } from '../../errors.ts'
import { type IngestDeps, ingestFile } from './ingest-file.ts'
import { type IngestJob, IngestQueue } from './ingest-queue.ts'

export { embedOperation, type IngestDeps } from './ingest-file.ts'
export type { IngestJob } from './ingest-queue.ts'

/** A file gets this many tries (a crash mid-read counts as one) before it is failed for good. */
export const maxIngestAttempts = 3

export interface FileIngest {
  /** Queues a stored file's reading; false while shutting down (it is picked up at next start). */
  enqueue(job: IngestJob): boolean
  /** Queues the files a previous run left `processing`, and fails those tried too often. */
  recover(): Promise<{ requeued: number; failed: number }>
  /** Resolves once no file is waiting or being read. */
  idle(): Promise<void>
  /** For shutdown: takes no more files, waits for those being read, and stops the readers. */
  stop(): Promise<void>
}

/** Reads uploaded files in the background, one or two at a time, off the event loop. */
export function createFileIngest(deps: IngestDeps, { concurrency = 1 } = {}): FileIngest {
  const queue = new IngestQueue((job) => ingestFile(deps, job), deps.logger, concurrency)
  return {
    enqueue: (job) => queue.enqueue(job),
    idle: () => queue.idle(),
    async recover() {
      const { requeue, failed } = await deps.db.asService((tx) =>
        recoverStuckFiles(tx, { maxAttempts: maxIngestAttempts }),
      )
      for (const file of requeue) {
        queue.enqueue({
          fileId: file.id,
          ownerId: file.userId,
          storageKey: file.storageKey,
          name: file.name,
        })
      }
      const counts = { requeued: requeue.length, failed: failed.length }
      if (counts.requeued + counts.failed > 0) {
        deps.logger.warn(counts, 'files left processing by a restart')
      }
      return counts
    },
    async stop() {
      await queue.stop()
      await deps.reader.close().catch((error: unknown) => {
        deps.logger.warn({ err: safeError(error) }, 'closing the document reader')
      })
    },
  }
}
