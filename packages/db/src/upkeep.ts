import type { Database } from './client.ts'

/** The tables one pass of `upkeepTables` vacuumed (and analyzed), and those it only analyzed. */
export interface TableUpkeep {
  vacuumed: string[]
  analyzed: string[]
}

/**
 * What Postgres's autovacuum does, for the embedded database, which has none: without it, the
 * dead row versions every update leaves (a turn updates its conversation's row four times) would
 * pile up for good, and no table would ever be analyzed, so the planner would guess every
 * estimate and keyword search could not tell a common word from a rare one
 * (`keyword_uncommon_words`). With autovacuum's own default thresholds, each table whose dead
 * rows exceed 50 and a fifth of its rows is vacuumed and analyzed; each whose rows changed by
 * more than 50 and a tenth since its last analysis, or that has rows and was never analyzed, is
 * analyzed. Tables are named `schema.table`.
 *
 * While it runs, the embedded database answers nothing else: a million messages take about 2 s
 * to vacuum the first time (tens of milliseconds after) and 3 s to analyze, which happens again
 * only once a fifth or a tenth of them has changed.
 */
export async function upkeepTables(db: Database): Promise<TableUpkeep> {
  // This connection's counters reach the shared statistics when it next reports them.
  await db.ownerStatement('select pg_catalog.pg_stat_force_next_flush()', [])
  const due = await db.ownerStatement<{ name: string; vacuum: boolean }>(
    `select format('%I.%I', s.schemaname, s.relname) as name,
       s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0) as vacuum
     from pg_catalog.pg_stat_user_tables s
     join pg_catalog.pg_class c on c.oid = s.relid
     where s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0)
        or s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
        or (c.reltuples < 0 and pg_catalog.pg_relation_size(c.oid) > 0)
     order by 1`,
    [],
  )
  // One statement each, outside any transaction (VACUUM cannot run in one).
  for (const { name, vacuum } of due) {
    await db.ownerStatement(vacuum ? `vacuum (analyze) ${name}` : `analyze ${name}`, [])
  }
  return {
    vacuumed: due.filter((table) => table.vacuum).map((table) => table.name),
    analyzed: due.filter((table) => !table.vacuum).map((table) => table.name),
  }
}
