import {
  authStore,
  type Database,
  dueOriginalDeletions,
  forgetOriginalDeletions,
  forgetOwnerOriginalDeletions,
  type OriginalDeletion,
} from '@parley/db'
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
        await forgetOwnerOriginalDeletions(db, owner)
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

/** A note younger than this may belong to a deletion still removing its original itself. */
const noteGraceMs = 10 * 60_000

/**
 * Removes the originals whose file rows are gone but whose removal did not happen (it failed, or
 * the process ended first): each deleted row noted its key, and the note is forgotten once the
 * original is removed. A removal that fails again keeps its note for the next sweep. Returns how
 * many were removed.
 */
export async function sweepOriginalDeletions(
  db: Database,
  storage: FileStorage,
  logger: Logger,
  now: Date = new Date(),
): Promise<number> {
  const notedBefore = new Date(now.getTime() - noteGraceMs)
  let removed = 0
  for (;;) {
    const due = await dueOriginalDeletions(db, { notedBefore, limit: idsPerQuery })
    const done = await removeOriginals(storage, due, logger)
    await forgetOriginalDeletions(db, done)
    removed += done.length
    // Stops at a batch that was short, or in which nothing could be removed (kept for later).
    if (due.length < idsPerQuery || done.length === 0) break
  }
  if (removed > 0) logger.info({ originals: removed }, 'originals of deleted files removed')
  return removed
}

/**
 * Removes each original, one at a time; the keys of those removed. Failures are logged once for
 * the batch (a storage outage would otherwise log every key of every sweep).
 */
async function removeOriginals(
  storage: FileStorage,
  due: readonly OriginalDeletion[],
  logger: Logger,
): Promise<string[]> {
  const done: string[] = []
  let failed = 0
  let firstError: unknown
  for (const { storageKey } of due) {
    try {
      await storage.delete(storageKey)
      done.push(storageKey)
    } catch (error) {
      failed++
      firstError ??= error
    }
  }
  if (failed > 0) {
    logger.error(
      { err: safeError(firstError), failed },
      'removing originals of deleted files failed: kept for the next sweep',
    )
  }
  return done
}

/** Sweeps now and then every `everyMs`, never keeping the process alive; returns the stop. */
export function startOriginalSweeper(
  db: Database,
  storage: FileStorage,
  logger: Logger,
  options: OriginalSweepOptions = {},
): () => void {
  const sweep = () => {
    void sweepDeletedOwners(db, storage, logger).catch((error: unknown) =>
      logger.error({ err: safeError(error) }, 'sweeping the originals of deleted accounts failed'),
    )
    void sweepOriginalDeletions(db, storage, logger).catch((error: unknown) =>
      logger.error({ err: safeError(error) }, 'sweeping the originals of deleted files failed'),
    )
  }
  sweep()
  const timer = setInterval(sweep, options.everyMs ?? 3_600_000)
  timer.unref()
  return () => clearInterval(timer)
}
