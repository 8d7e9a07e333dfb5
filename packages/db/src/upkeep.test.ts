import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from './client.ts'
import { createConversation } from './repositories/conversations.ts'
import { createTestDatabase, createTestUser } from './testing/index.ts'
import { upkeepTables } from './upkeep.ts'

let db: Database
beforeAll(async () => {
  db = await createTestDatabase()
})
afterAll(() => db?.close())

const conversationsTable = async () => {
  await db.ownerStatement('select pg_catalog.pg_stat_force_next_flush()', [])
  return db.asOwner(async (sql) => {
    const [row] = await sql.query<{ analyzed: boolean; rows: number; dead: number }>(
      `select exists (select 1 from pg_catalog.pg_stats where schemaname = 'public' and tablename = 'conversations') as analyzed,
         (select reltuples from pg_catalog.pg_class where oid = 'public.conversations'::regclass)::int as rows,
         (select n_dead_tup from pg_catalog.pg_stat_user_tables where relid = 'public.conversations'::regclass)::int as dead`,
    )
    return row
  })
}

describe('upkeepTables', () => {
  it('analyzes the tables changed past the threshold, vacuums those with many dead rows, then does nothing until they change again', async () => {
    const user = await createTestUser(db)
    await upkeepTables(db)
    expect(await upkeepTables(db)).toEqual({ vacuumed: [], analyzed: [] })

    await db.withUser(user.claims, async (tx) => {
      for (let i = 0; i < 60; i++) await createConversation(tx, { title: `Trip ${i}` })
    })
    const first = await upkeepTables(db)
    expect(first.analyzed).toContain('public.conversations')
    expect(first.vacuumed).not.toContain('public.conversations')
    expect(await conversationsTable()).toMatchObject({ analyzed: true, rows: 60 })
    expect(await upkeepTables(db)).toEqual({ vacuumed: [], analyzed: [] })

    // Two renames of every conversation leave 120 dead rows, past 50 and a fifth of 60.
    for (const mark of ['!', '?']) {
      await db.asOwner((sql) =>
        sql.query(`update public.conversations set title = title || $2 where user_id = $1`, [
          user.id,
          mark,
        ]),
      )
    }
    const second = await upkeepTables(db)
    expect(second.vacuumed).toContain('public.conversations')
    expect(await conversationsTable()).toMatchObject({ dead: 0 })
    expect(await upkeepTables(db)).toEqual({ vacuumed: [], analyzed: [] })

    // Fewer changes than 50 rows and a tenth of the table: not yet.
    await db.withUser(user.claims, async (tx) => {
      for (let i = 0; i < 20; i++) await createConversation(tx, { title: `Walk ${i}` })
    })
    expect(await upkeepTables(db)).toEqual({ vacuumed: [], analyzed: [] })
  })
})
