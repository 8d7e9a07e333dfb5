import type { Database } from './client.ts'

/**
 * Postgres's autovacuum keeps the planner's statistics current; the embedded database has no
 * autovacuum, so without this its tables would never be analyzed: the planner would guess every
 * estimate, and keyword search could not tell a common word from a rare one
 * (`keyword_uncommon_words`). Analyzes every table whose rows changed by more than autovacuum's
 * own default threshold since its last analysis (50 rows and a tenth of the table), and every
 * table with rows that was never analyzed. Returns the tables analyzed (`schema.table`).
 *
 * While it runs, the embedded database answers nothing else: a table of a million messages takes
 * about 3 s, which happens again only once a tenth of it has changed.
 */
export async function analyzeChangedTables(db: Database): Promise<string[]> {
  // This connection's change counters reach the shared statistics when it next reports them.
  await db.asOwner((sql) => sql.exec('select pg_catalog.pg_stat_force_next_flush()'))
  const stale = await db.asOwner((sql) =>
    sql.query<{ name: string }>(
      `select format('%I.%I', s.schemaname, s.relname) as name
       from pg_catalog.pg_stat_user_tables s
       join pg_catalog.pg_class c on c.oid = s.relid
       where (c.reltuples < 0 and pg_catalog.pg_relation_size(c.oid) > 0)
          or s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
       order by 1`,
    ),
  )
  for (const { name } of stale) await db.asOwner((sql) => sql.exec(`analyze ${name}`))
  return stale.map((row) => row.name)
}
