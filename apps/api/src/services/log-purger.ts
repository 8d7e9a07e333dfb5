import { type Database, type PurgeResult, purgeLogs } from '@parley/db'
import type { Logger } from 'pino'
import { safeError } from '../errors.ts'

export interface LogPurgeOptions {
  retentionDays: number
  /** One purge per period across every instance (default a day). */
  periodMs?: number
  /** How often this instance asks whether a purge is due (default an hour). */
  everyMs?: number
  now?: () => Date
}

const dayMs = 86_400_000

/** Purges activity and error rows past retention, unless another instance did this period. */
export async function purgeExpiredLogs(
  db: Database,
  options: LogPurgeOptions,
  logger: Logger,
): Promise<PurgeResult> {
  const result = await db.asService((tx) =>
    purgeLogs(tx, {
      now: options.now?.() ?? new Date(),
      retentionDays: options.retentionDays,
      periodMs: options.periodMs ?? dayMs,
    }),
  )
  if (result.purged) {
    logger.info(
      { activity: result.activity, errors: result.errors, retentionDays: options.retentionDays },
      'activity and error logs purged',
    )
  }
  return result
}

/** Asks now and then every `everyMs`, never keeping the process alive; returns the stop. */
export function startLogPurger(db: Database, options: LogPurgeOptions, logger: Logger): () => void {
  const purge = () =>
    void purgeExpiredLogs(db, options, logger).catch((error: unknown) =>
      logger.error({ err: safeError(error) }, 'purging activity and error logs failed'),
    )
  purge()
  const timer = setInterval(purge, options.everyMs ?? 3_600_000)
  timer.unref()
  return () => clearInterval(timer)
}
