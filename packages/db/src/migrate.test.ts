import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type Database } from './client.ts'
import { bootstrapSupabaseCompat } from './compat/bootstrap.ts'
import { type MigrateResult, type Migration, migrate, readMigrations } from './migrate.ts'
import { testDatabaseUrl } from './testing/env.ts'

// A database of its own: the first migration run is the one under test, not a cached template.
let db: Database
let migrations: Migration[]
let authBefore: { object: string }[]
let first: MigrateResult
let second: MigrateResult

beforeAll(async () => {
  db = testDatabaseUrl
    ? await createDatabase({ kind: 'postgres', url: testDatabaseUrl })
    : await createDatabase({ kind: 'pglite' })
  migrations = await readMigrations()
  await bootstrapSupabaseCompat(db)
  authBefore = await authObjects()
  first = await migrate(db)
  second = await migrate(db)
})
afterAll(() => db?.close())

const authObjects = () =>
  db.asOwner((sql) =>
    sql.query<{ object: string }>(`
      select c.relkind::text || ':' || c.relname as object from pg_class c
      where c.relnamespace = 'auth'::regnamespace
      union all
      select 'f:' || p.proname from pg_proc p where p.pronamespace = 'auth'::regnamespace
      order by 1`),
  )

describe('migrations', () => {
  it('apply in order, then a second run is a no-op', async () => {
    if (!testDatabaseUrl) {
      expect(first.applied).toEqual(migrations.map((m) => `${m.version}_${m.name}`))
    }
    expect(second).toEqual({
      applied: [],
      alreadyApplied: migrations.length,
      missingExtensions: first.missingExtensions,
    })
  })

  it('create nothing in the auth schema (hosted Supabase forbids it; triggers only)', async () => {
    expect(await authObjects()).toEqual(authBefore)
  })

  it('record what they applied where the Supabase CLI looks', async () => {
    const rows = await db.asOwner((sql) =>
      sql.query<{ version: string; name: string }>(
        'select version, name from supabase_migrations.schema_migrations order by version',
      ),
    )
    expect(rows).toEqual(migrations.map(({ version, name }) => ({ version, name })))
  })

  it('run the compatibility bootstrap again without harm', async () => {
    expect(await bootstrapSupabaseCompat(db)).toBe('applied')
    expect(await migrate(db)).toMatchObject({ applied: [] })
  })

  it('leave pgvector and pgcrypto installed in the extensions schema', async () => {
    const rows = await db.asOwner((sql) =>
      sql.query<{ extname: string; schema: string }>(`
        select e.extname, n.nspname as schema from pg_extension e
        join pg_namespace n on n.oid = e.extnamespace
        where e.extname in ('vector', 'pgcrypto') order by 1`),
    )
    const { missingExtensions } = await migrate(db)
    const expected = [
      { extname: 'pgcrypto', schema: 'extensions' },
      { extname: 'vector', schema: 'extensions' },
    ].filter((row) => !missingExtensions.includes(row.extname))
    expect(rows).toEqual(expected)
    if (!testDatabaseUrl) expect(missingExtensions).toEqual([])
  })
})
