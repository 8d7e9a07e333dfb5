import { authStore, type Database } from '@parley/db'
import type { Logger } from 'pino'
import { safeError } from '../errors.ts'
import type { FileStorage } from './file-storage/index.ts'

export interface OriginalSweepOptions {
  /** How often this instance sweeps (default an hour); it also sweeps once at start. */
  everyMs?: number
}

const idsPerQuery = 500

/**
 * Removes the stored originals of owners who are no longer users: an account deletion whose
 * storage clean-up failed, or an upload by a deleted account's still valid token. Costs one
 * listing of the owners (not of their files) and one query per 500 owners.
 */
export async function sweepDeletedOwners(
  db: Database,
  storage: FileStorage,
  logger: Logger,
): Promise<number> {
  const owners = await storage.listOwners()
  let swept = 0
  for (let at = 0; at < owners.length; at += idsPerQuery) {
    const batch = owners.slice(at, at + idsPerQuery)
    const live = new Set(await db.asService((tx) => authStore.existingUserIds(tx, batch)))
    for (const owner of batch.filter((id) => !live.has(id))) {
      try {
        await storage.deleteOwner(owner)
        swept++
      } catch (error) {
        logger.error(
          { err: safeError(error) },
          'sweeping the originals of a deleted account failed',
        )
      }
    }
  }
  if (swept > 0) logger.info({ owners: swept }, 'originals of deleted accounts removed')
  return swept
}

/** Sweeps now and then every `everyMs`, never keeping the process alive; returns the stop. */
export function startOriginalSweeper(
  db: Database,
  storage: FileStorage,
  logger: Logger,
  options: OriginalSweepOptions = {},
): () => void {
  const sweep = () =>
    void sweepDeletedOwners(db, storage, logger).catch((error: unknown) =>
      logger.error({ err: safeError(error) }, 'sweeping the originals of deleted accounts failed'),
    )
  sweep()
  const timer = setInterval(sweep, options.everyMs ?? 3_600_000)
  timer.unref()
  return () => clearInterval(timer)
}
