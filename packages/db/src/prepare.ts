import type { Database } from './client.ts'
import { bootstrapSupabaseCompat } from './compat/bootstrap.ts'
import { type MigrateResult, migrate } from './migrate.ts'

export interface PrepareResult extends MigrateResult {
  bootstrap: 'applied' | 'skipped'
}

/** Brings a database to the current schema: the compatibility bootstrap, then migrations. */
export async function prepareDatabase(
  db: Database,
  options: { migrationsDir?: string } = {},
): Promise<PrepareResult> {
  const bootstrap = await bootstrapSupabaseCompat(db)
  const result = await migrate(db, options.migrationsDir ? { dir: options.migrationsDir } : {})
  return { bootstrap, ...result }
}
