import { type Database, upkeepTables } from '@parley/db'
import type { Logger } from 'pino'
import { safeError } from '../errors.ts'

/**
 * Vacuums and analyzes the embedded database's tables as autovacuum does on Postgres
 * (`upkeepTables`): at start, then every `everyMs` (default 10 minutes), one pass at a time,
 * never keeping the process alive. Returns the stop.
 */
export function startTableUpkeep(
  db: Database,
  logger: Logger,
  options: { everyMs?: number } = {},
): () => void {
  let running = false
  const upkeep = async () => {
    if (running) return
    running = true
    try {
      const { vacuumed, analyzed } = await upkeepTables(db)
      if (vacuumed.length + analyzed.length > 0) {
        logger.info({ vacuumed, analyzed }, 'tables vacuumed and analyzed')
      }
    } catch (error) {
      logger.error({ err: safeError(error) }, 'vacuuming and analyzing tables failed')
    } finally {
      running = false
    }
  }
  void upkeep()
  const timer = setInterval(() => void upkeep(), options.everyMs ?? 600_000)
  timer.unref()
  return () => clearInterval(timer)
}
