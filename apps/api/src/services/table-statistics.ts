import { analyzeChangedTables, type Database } from '@parley/db'
import type { Logger } from 'pino'
import { safeError } from '../errors.ts'

/**
 * Keeps the embedded database's planner statistics current, as autovacuum does on Postgres
 * (`analyzeChangedTables`): at start, then every `everyMs` (default 10 minutes), never keeping
 * the process alive. Returns the stop.
 */
export function startTableAnalyzer(
  db: Database,
  logger: Logger,
  options: { everyMs?: number } = {},
): () => void {
  let running = false
  const analyze = async () => {
    if (running) return
    running = true
    try {
      const tables = await analyzeChangedTables(db)
      if (tables.length > 0) logger.info({ tables }, 'planner statistics refreshed')
    } catch (error) {
      logger.error({ err: safeError(error) }, 'refreshing planner statistics failed')
    } finally {
      running = false
    }
  }
  void analyze()
  const timer = setInterval(() => void analyze(), options.everyMs ?? 600_000)
  timer.unref()
  return () => clearInterval(timer)
}
