import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Database } from './client.ts'

/** `supabase/migrations` at the repository root. */
export const defaultMigrationsDir = fileURLToPath(
  new URL('../../../supabase/migrations/', import.meta.url),
)

export interface Migration {
  /** The timestamp prefix, as the Supabase CLI records it. */
  version: string
  name: string
  statements: string[]
}

export interface MigrateResult {
  applied: string[]
  alreadyApplied: number
  /** Extensions the migrations asked for that this server lacks (pgvector on a plain Postgres). */
  missingExtensions: string[]
}

const fileName = /^(\d{14})_([a-z0-9_]+)\.sql$/

export async function readMigrations(dir = defaultMigrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => fileName.test(file)).sort()
  return Promise.all(
    files.map(async (file) => {
      const [, version = '', name = ''] = fileName.exec(file) ?? []
      const text = await readFile(path.join(dir, file), 'utf8')
      const statements = text
        .split('--> statement-breakpoint')
        .map((statement) => statement.trim())
        .filter(Boolean)
      return { version, name, statements }
    }),
  )
}

/**
 * Applies pending migrations in order, each in its own transaction, recorded in the table the
 * Supabase CLI uses (`supabase_migrations.schema_migrations`), so `supabase db push` and this
 * agree on what is applied. Safe to run concurrently from several servers and at every start.
 */
export async function migrate(
  db: Database,
  { dir = defaultMigrationsDir }: { dir?: string } = {},
): Promise<MigrateResult> {
  const migrations = await readMigrations(dir)
  await db.asOwner((sql) =>
    sql.exec(`
      create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (
        version text primary key,
        statements text[],
        name text
      );`),
  )

  const applied: string[] = []
  for (const migration of migrations) {
    const ran = await db.asOwner(async (sql) => {
      await sql.query(`select pg_advisory_xact_lock(hashtext('parley.migrate'))`)
      const done = await sql.query(
        'select 1 from supabase_migrations.schema_migrations where version = $1',
        [migration.version],
      )
      if (done.length > 0) return false
      for (const statement of migration.statements) await sql.exec(statement)
      await sql.query(
        'insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)',
        [migration.version, migration.name, migration.statements],
      )
      return true
    })
    if (ran) applied.push(`${migration.version}_${migration.name}`)
  }

  const vectorsReady = await addVectorColumns(db)
  const missingExtensions = await db.asOwner(async (sql) => {
    const rows = await sql.query<{ name: string }>(
      `select name from unnest(array['pgcrypto', 'vector']) as wanted(name)
       where not exists (select 1 from pg_extension where extname = wanted.name)`,
    )
    return rows.map((row) => row.name)
  })
  if (!vectorsReady && !missingExtensions.includes('vector')) {
    missingExtensions.push('vector')
  }

  return { applied, alreadyApplied: migrations.length - applied.length, missingExtensions }
}

/**
 * pgvector enabled after the migrations that wanted it: adds the vector columns and indexes they
 * could not (idempotent, at every start). False when vectors cannot be kept, for example with
 * the extension in a schema other than `extensions`; true also for a migrations folder without
 * the function (it has nothing to add).
 */
async function addVectorColumns(db: Database): Promise<boolean> {
  return db.asOwner(async (sql) => {
    const [found] = await sql.query<{ present: boolean }>(
      `select to_regprocedure('public.add_vector_columns()') is not null as present`,
    )
    if (!found?.present) return true
    const [row] = await sql.query<{ ready: boolean }>('select public.add_vector_columns() as ready')
    return row?.ready === true
  })
}
