import { type Database, sweepBudgetReservations } from '@parley/db'
import type { Logger } from 'pino'

/**
 * Releases budget reservations whose turn never settled (the process died mid-turn): once a
 * reservation is older than any turn can last, the usage rows its turn wrote are all the spend
 * there is. Returns how many were released.
 */
export async function sweepStaleReservations(
  db: Database,
  olderThanSeconds: number,
  logger: Logger,
): Promise<number> {
  const swept = await db.asService((tx) => sweepBudgetReservations(tx, olderThanSeconds))
  if (swept > 0) logger.warn({ reservations: swept }, 'stale budget reservations released')
  return swept
}

/** Sweeps now and then every `everyMs`, never keeping the process alive; returns the stop. */
export function startBudgetSweeper(
  db: Database,
  options: { olderThanSeconds: number; everyMs: number },
  logger: Logger,
): () => void {
  const sweep = () =>
    void sweepStaleReservations(db, options.olderThanSeconds, logger).catch((error: unknown) =>
      logger.error({ err: error }, 'sweeping budget reservations failed'),
    )
  sweep()
  const timer = setInterval(sweep, options.everyMs)
  timer.unref()
  return () => clearInterval(timer)
}
