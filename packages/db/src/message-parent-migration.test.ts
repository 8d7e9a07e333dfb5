import { randomUUID } from 'node:crypto'
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, type Database } from './client.ts'
import { bootstrapSupabaseCompat } from './compat/bootstrap.ts'
import { defaultMigrationsDir, migrate } from './migrate.ts'
import { createTestUser } from './testing/index.ts'

// A database of its own, migrated to just before the rule, holding what older versions allowed.
const rule = '20261205100100_message_parent_precedes.sql'
let db: Database
let before: string

beforeAll(async () => {
  db = await createDatabase({ kind: 'pglite' })
  before = await mkdtemp(path.join(tmpdir(), 'parley-migrations-'))
  for (const file of await readdir(defaultMigrationsDir)) {
    if (file.endsWith('.sql') && file < rule) {
      await cp(path.join(defaultMigrationsDir, file), path.join(before, file))
    }
  }
  await bootstrapSupabaseCompat(db)
  await migrate(db, { dir: before })
})
afterAll(async () => {
  await db?.close()
  if (before) await rm(before, { recursive: true, force: true })
})

describe('the migration that forbids self-parents', () => {
  it('points existing self-parents at the message before them, or at none', async () => {
    const user = await createTestUser(db)
    const [conversation, first, second] = [randomUUID(), randomUUID(), randomUUID()]
    await db.asOwner(async (sql) => {
      await sql.query('insert into public.conversations (id, user_id) values ($1, $2)', [
        conversation,
        user.id,
      ])
      for (const id of [first, second]) {
        await sql.query(
          `insert into public.messages (id, conversation_id, user_id, parent_id, role, content)
           values ($1, $2, $3, $1, 'user', 'my own parent')`,
          [id, conversation, user.id],
        )
      }
    })

    await migrate(db)

    const rows = await db.asOwner((sql) =>
      sql.query<{ id: string; parent_id: string | null }>(
        'select id, parent_id from public.messages where conversation_id = $1 order by seq',
        [conversation],
      ),
    )
    expect(rows).toEqual([
      { id: first, parent_id: null },
      { id: second, parent_id: first },
    ])
  })
})
