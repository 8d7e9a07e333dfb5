import { createHash, randomUUID } from 'node:crypto'
import { readFile, rename, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { JwtClaims, VerifiedClaims } from '@parley/schema/contracts'
import { createDatabase, type Database, type DatabaseOptions } from '../client.ts'
import { readMigrations } from '../migrate.ts'
import { prepareDatabase } from '../prepare.ts'
import { insertAuthUser } from '../repositories/auth.ts'
import { testDatabaseUrl } from './env.ts'

/**
 * A migrated database for one test file: a clone of a prepared PGlite (initdb and migrations
 * run once per schema version and are cached in the temp folder), or, with `TEST_DATABASE_URL`,
 * a connection to that Postgres, bootstrapped and migrated.
 */
export async function createTestDatabase(options: DatabaseOptions = {}): Promise<Database> {
  if (testDatabaseUrl) {
    const db = await createDatabase(
      { kind: 'postgres', url: testDatabaseUrl, maxConnections: 20 },
      options,
    )
    await prepareDatabase(db)
    return db
  }
  const template = await readFile(await pgliteTemplate())
  return createDatabase({ kind: 'pglite', loadDataDir: new Blob([template]) }, options)
}

async function pgliteTemplate(): Promise<string> {
  const hash = createHash('sha256')
  hash.update(await readFile(new URL('../compat/supabase-bootstrap.sql', import.meta.url)))
  for (const migration of await readMigrations()) hash.update(migration.statements.join('\n'))
  hash.update(JSON.parse(await readFile(pgliteManifest(), 'utf8')).version)
  const file = path.join(
    os.tmpdir(),
    `parley-pglite-template-${hash.digest('hex').slice(0, 16)}.tar`,
  )
  if (await exists(file)) return file

  const db = await createDatabase({ kind: 'pglite' })
  try {
    await prepareDatabase(db)
    const dump = await db.pglite?.dumpDataDir('none')
    if (!dump) throw new Error('an embedded database has a PGlite instance')
    // Parallel test workers may race to create the template: write aside, then rename.
    const partial = `${file}.${process.pid}.${randomUUID()}`
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()))
    await rename(partial, file)
  } finally {
    await db.close()
  }
  return file
}

function pgliteManifest(): URL {
  // `package.json` is not exported; it sits one folder above the resolved entry (dist/index.js).
  return new URL('../package.json', import.meta.resolve('@electric-sql/pglite'))
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file)
    return true
  } catch {
    return false
  }
}

export interface TestUser {
  id: string
  email: string
  claims: VerifiedClaims
}

/** A signed-up user (with a profile, made by the sign-up trigger) and the claims of their token. */
export async function createTestUser(
  db: Database,
  { admin = false, displayName }: { admin?: boolean; displayName?: string } = {},
): Promise<TestUser> {
  const id = randomUUID()
  const email = `user-${id.slice(0, 8)}@example.test`
  const appMetadata = { provider: 'email', ...(admin ? { role: 'admin' } : {}) }
  await db.asService((tx) =>
    insertAuthUser(tx, {
      id,
      email,
      encryptedPassword: 'not-a-password-hash',
      appMetadata,
      userMetadata: displayName ? { display_name: displayName } : {},
    }),
  )
  return { id, email, claims: { sub: id, role: 'authenticated', email, app_metadata: appMetadata } }
}

export const anonClaims: JwtClaims = { role: 'anon' }
export { testDatabaseUrl } from './env.ts'
export { withFaults } from './faults.ts'
export { inspect } from './inspect.ts'
export { explainConversationList, type ScaleSeed, seedAtScale } from './seed-at-scale.ts'
export { seedUsageAtScale, type UsageSeed } from './seed-usage.ts'
