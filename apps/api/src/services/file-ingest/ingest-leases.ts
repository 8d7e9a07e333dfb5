import { type Database, type IngestClaim, renewFileIngestLeases } from '@parley/db'
import type { Logger } from 'pino'
import { safeError } from '../../errors.ts'
import type { IngestQueue } from './ingest-queue.ts'

/**
 * Renews, in one statement per heartbeat, this server's claims on the files it is reading, on a
 * database other servers may share. A claim another server took over (this one stalled past its
 * lease) stops its run here, so that the file is not paid for twice and the late run writes
 * nothing.
 */
export async function renewIngestLeases(
  db: Database,
  queue: IngestQueue,
  claim: IngestClaim,
  logger: Logger,
): Promise<void> {
  const fileIds = queue.runningFileIds
  if (fileIds.length === 0) return
  try {
    const { lost } = await db.asService((tx) =>
      renewFileIngestLeases(tx, { owner: claim.owner, fileIds, leaseSeconds: claim.leaseSeconds }),
    )
    for (const fileId of lost) {
      logger.warn({ fileId }, 'file taken over by another server; this read stops')
      queue.abort(fileId)
    }
  } catch (error) {
    logger.warn({ err: safeError(error) }, 'file ingest lease renewal')
  }
}
