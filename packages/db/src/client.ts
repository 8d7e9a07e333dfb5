import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto'
import { vector } from '@electric-sql/pglite-pgvector'
import { type JwtClaims, jwtClaims } from '@parley/schema/contracts'
import * as tables from '@parley/schema/tables'
import { type ExtractTablesWithRelations, sql } from 'drizzle-orm'
import type { PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import { embeddedCacheMb, embeddedDataBytes, minCacheMb } from './embedded-cache.ts'
import { parseInput, toDbError } from './errors.ts'
import { type DbAccess, inDbSpan } from './transaction-span.ts'

export type Schema = typeof tables

/** The transaction every repository function takes first. */
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>

export type DatabaseConfig =
  /**
   * Embedded Postgres (PGlite with pgvector). `dataDir` omitted: in memory. `cacheMb`: its
   * buffer cache; omitted, sized to the data folder at open (`embeddedCacheMb`).
   */
  | { kind: 'pglite'; dataDir?: string; loadDataDir?: Blob; cacheMb?: number | undefined }
  /** Any Postgres, including Supabase through its pooler. */
  | { kind: 'postgres'; url: string; maxConnections?: number }

/** Per-user limits the database enforces as it writes (defaults in the quotas migration). */
export interface Quotas {
  conversations: number
  messagesPerConversation: number
  /** Message contents, system prompts and uploaded files, in bytes. */
  storedBytes: number
  /** Uploaded files (the migration's default: 1,000). */
  files?: number
}

export interface DatabaseOptions {
  /** Omitted: the migration's defaults (10,000 conversations, 5,000 messages each, 500 MB). */
  quotas?: Quotas
}

export interface Database {
  readonly kind: DatabaseConfig['kind']
  /**
   * Runs `fn` in one transaction as the user the claims describe: `request.jwt.claims` and the
   * Postgres role (`parley_user` for a signed-in user, else `anon`) are set for this transaction
   * only, so row-level security applies to every query.
   * A disabled (banned) account is refused with `DbError('unauthorized')` by the same statement,
   * unless `evenIfDisabled`: for finishing work the account started before it was disabled
   * (recording a reply's outcome and cost), never for a new request.
   *
   * With `pipelined`, `fn`'s first statement is sent without waiting for the claims statement's
   * answer (on Postgres, in the same write as `BEGIN` and the claims): one round trip fewer.
   * Only for a first statement that does nothing without the caller's claims (one guarded by
   * `auth.uid() is not null`), so that it could not act for anyone even if `BEGIN` had failed.
   * A refused account still fails the transaction with the claims statement's error.
   */
  withUser<T>(
    claims: JwtClaims,
    fn: (tx: Tx) => Promise<T>,
    options?: { evenIfDisabled?: boolean; pipelined?: boolean },
  ): Promise<T>
  /**
   * Runs `fn` in one transaction as `service_role`, which bypasses row-level security. For
   * seeding, migrations' follow-ups, the auth server and system jobs: never on a path that
   * serves a user's data.
   */
  asService<T>(fn: (tx: Tx) => Promise<T>): Promise<T>
  /**
   * One transaction as the connecting user, who owns the schema: for the compatibility
   * bootstrap and migrations, which run SQL scripts rather than typed queries.
   */
  asOwner<T>(fn: (sql: OwnerSql) => Promise<T>): Promise<T>
  /**
   * One statement on its own, as the connecting user, outside any explicit transaction: one
   * round trip, for the rate limiter's functions (which no API role may call).
   */
  ownerStatement<R extends Record<string, unknown>>(
    statement: string,
    params: unknown[],
  ): Promise<R[]>
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>
  close(): Promise<void>
  /** The PGlite instance in embedded mode (tests dump and clone it). */
  readonly pglite: PGlite | undefined
}

export interface OwnerSql {
  /** Runs a script of one or more statements without parameters. */
  exec(script: string): Promise<void>
  /** Runs one statement with bound parameters and returns its rows. */
  query<R extends Record<string, unknown>>(statement: string, params?: unknown[]): Promise<R[]>
}

interface Driver {
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>
  ownerTransaction<T>(fn: (sql: OwnerSql) => Promise<T>): Promise<T>
  statement<R extends Record<string, unknown>>(statement: string, params: unknown[]): Promise<R[]>
  close(): Promise<void>
}

/**
 * The Postgres role a transaction runs as, by the claims' role. Signed-in users run as
 * `parley_user`, which holds the writes the API makes for them: a member of `authenticated` (so
 * every policy and select grant applies) that Supabase's Data API can never become, so a user
 * with their own token and the anon key can only read their rows there. The claims keep
 * `role: authenticated` for `auth.role()`.
 */
const databaseRoles = {
  authenticated: 'parley_user',
  anon: 'anon',
} as const satisfies Record<JwtClaims['role'], string>

export async function createDatabase(
  config: DatabaseConfig,
  options: DatabaseOptions = {},
): Promise<Database> {
  const settings = options.quotas ? JSON.stringify(options.quotas) : ''
  if (config.kind === 'pglite') {
    if (config.dataDir) await mkdir(path.dirname(path.resolve(config.dataDir)), { recursive: true })
    const cacheMb =
      config.cacheMb ??
      (config.dataDir ? embeddedCacheMb(await embeddedDataBytes(config.dataDir)) : minCacheMb)
    const pglite = await PGlite.create({
      ...(config.dataDir ? { dataDir: config.dataDir } : {}),
      ...(config.loadDataDir ? { loadDataDir: config.loadDataDir } : {}),
      extensions: { vector, pgcrypto },
      startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${cacheMb}MB`],
    })
    const db = drizzlePglite({ client: pglite, schema: tables })
    return wrap('pglite', pglite, settings, {
      transaction: (fn) => db.transaction((tx) => fn(tx as unknown as Tx)),
      ownerTransaction: (fn) =>
        pglite.transaction((tx) =>
          fn({
            async exec(script) {
              await tx.exec(script)
            },
            async query<R extends Record<string, unknown>>(statement: string, params?: unknown[]) {
              return (await tx.query<R>(statement, params)).rows
            },
          }),
        ),
      statement: async <R extends Record<string, unknown>>(statement: string, params: unknown[]) =>
        (await pglite.query<R>(statement, params)).rows,
      close: () => pglite.close(),
    })
  }

  const client = postgres(config.url, {
    // Transaction poolers (Supabase's Supavisor, PgBouncer) cannot keep prepared statements.
    prepare: false,
    // Still one round trip per statement: the patched driver sends an unnamed statement whose
    // parameters are plain values without describing it first (drizzle passes JSON and arrays as
    // text, so nothing needs the server's parameter types).
    describe_first: false,
    // A transaction's BEGIN goes out with its claims statement: one round trip, not two.
    pipeline_begin: true,
    max: config.maxConnections ?? 10,
    onnotice: () => {},
  })
  const db = drizzlePostgres({ client, schema: tables })
  return wrap('postgres', undefined, settings, {
    transaction: (fn) => db.transaction((tx) => fn(tx as unknown as Tx)),
    async ownerTransaction<T>(fn: (sql: OwnerSql) => Promise<T>) {
      const result = await client.begin((tx) =>
        fn({
          async exec(script) {
            await tx.unsafe(script)
          },
          async query<R extends Record<string, unknown>>(statement: string, params?: unknown[]) {
            const rows = await tx.unsafe(statement, params as postgres.ParameterOrJSON<never>[])
            return rows as unknown as R[]
          },
        }),
      )
      return result as T
    },
    statement: async <R extends Record<string, unknown>>(statement: string, params: unknown[]) =>
      (await client.unsafe(
        statement,
        params as postgres.ParameterOrJSON<never>[],
      )) as unknown as R[],
    close: () => client.end({ timeout: 5 }),
  })
}

function wrap(
  kind: Database['kind'],
  pglite: PGlite | undefined,
  quotas: string,
  driver: Driver,
): Database {
  async function run<T>(
    access: DbAccess,
    role: string,
    claims: string,
    subject: string | null,
    fn: (tx: Tx) => Promise<T>,
    pipelined = false,
  ): Promise<T> {
    try {
      return await inDbSpan('db.transaction', access, () =>
        driver.transaction(async (tx) => {
          // All values are bound parameters; the role itself comes from an allow-list. A disabled
          // account is refused by this same statement (PA401), so the check adds no round trip.
          const settings = sql`select set_config('request.jwt.claims', ${claims}, true), set_config('role', ${role}, true), set_config('parley.quotas', ${quotas}, true)`
          const claimed = tx.execute(
            subject === null
              ? settings
              : sql`${settings}, public.ensure_account_active(${subject}::uuid)`,
          )
          if (!pipelined) {
            await claimed
            return fn(tx)
          }
          // `then` sends the claims now, so they go out before `fn`'s first statement.
          return afterClaims(
            claimed.then(() => undefined),
            fn(tx),
          )
        }),
      )
    } catch (error) {
      throw toDbError(error)
    }
  }

  return {
    kind,
    pglite,
    async withUser(claims, fn, { evenIfDisabled = false, pipelined = false } = {}) {
      const valid = parseInput(jwtClaims, claims)
      const subject = evenIfDisabled ? null : (valid.sub ?? null)
      return run('user', databaseRoles[valid.role], JSON.stringify(valid), subject, fn, pipelined)
    },
    asService(fn) {
      return run('service', 'service_role', JSON.stringify({ role: 'service_role' }), null, fn)
    },
    async asOwner(fn) {
      try {
        return await inDbSpan('db.transaction', 'owner', () => driver.ownerTransaction(fn))
      } catch (error) {
        throw toDbError(error)
      }
    },
    async ownerStatement(statement, params) {
      try {
        return await inDbSpan('db.statement', 'owner', () => driver.statement(statement, params))
      } catch (error) {
        throw toDbError(error)
      }
    },
    async ping() {
      await driver.ownerTransaction((sql) => sql.query('select 1'))
    },
    close: () => driver.close(),
  }
}

/**
 * `work`'s outcome once the claims statement it was pipelined behind has answered: the claims'
 * error when they failed (a disabled account), since every statement after them then fails only
 * because the transaction is aborted.
 */
async function afterClaims<T>(claims: Promise<void>, work: Promise<T>): Promise<T> {
  // Awaited on both paths below; this keeps its rejection from counting as unhandled meanwhile.
  claims.catch(() => {})
  try {
    const result = await work
    await claims
    return result
  } catch (error) {
    await claims
    throw error
  }
}
