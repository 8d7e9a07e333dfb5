import { readFile } from 'node:fs/promises'
import type { Database } from '../client.ts'

const script = new URL('./supabase-bootstrap.sql', import.meta.url)

/**
 * Creates what Supabase provides (roles, `auth` and `extensions` schemas, `auth.users`,
 * `auth.uid()` and friends) on a database that is not Supabase. Skipped on Supabase itself,
 * recognised by its `supabase_admin` role. Idempotent.
 */
export async function bootstrapSupabaseCompat(db: Database): Promise<'applied' | 'skipped'> {
  const sql = await readFile(script, 'utf8')
  return db.asOwner(async (owner) => {
    const [row] = await owner.query<{ supabase: boolean }>(
      `select exists (select 1 from pg_roles where rolname = 'supabase_admin') as supabase`,
    )
    if (row?.supabase) return 'skipped'
    // Two servers starting at once must not both create the roles.
    await owner.query(`select pg_advisory_xact_lock(hashtext('parley.bootstrap'))`)
    await owner.exec(sql)
    return 'applied'
  })
}
