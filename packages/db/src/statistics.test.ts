import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from './client.ts'
import { createConversation } from './repositories/conversations.ts'
import { analyzeChangedTables } from './statistics.ts'
import { createTestDatabase, createTestUser } from './testing/index.ts'

let db: Database
beforeAll(async () => {
  db = await createTestDatabase()
})
afterAll(() => db?.close())

const conversationStats = () =>
  db.asOwner(async (sql) => {
    const [row] = await sql.query<{ analyzed: boolean; rows: number }>(
      `select exists (select 1 from pg_catalog.pg_stats where schemaname = 'public' and tablename = 'conversations') as analyzed,
         (select reltuples from pg_catalog.pg_class where oid = 'public.conversations'::regclass)::int as rows`,
    )
    return row
  })

describe('analyzeChangedTables', () => {
  it('analyzes the tables changed past the threshold, then nothing until they change again', async () => {
    const user = await createTestUser(db)
    await analyzeChangedTables(db)
    expect(await analyzeChangedTables(db)).toEqual([])

    await db.withUser(user.claims, async (tx) => {
      for (let i = 0; i < 60; i++) await createConversation(tx, { title: `Trip ${i}` })
    })
    expect(await analyzeChangedTables(db)).toContain('public.conversations')
    expect(await conversationStats()).toEqual({ analyzed: true, rows: 60 })
    expect(await analyzeChangedTables(db)).toEqual([])

    // Fewer changes than 50 rows and a tenth of the table: not yet.
    await db.withUser(user.claims, async (tx) => {
      for (let i = 0; i < 20; i++) await createConversation(tx, { title: `Walk ${i}` })
    })
    expect(await analyzeChangedTables(db)).toEqual([])
  })
})
