import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../client.ts'
import { testDatabaseUrl } from '../testing/env.ts'
import { createTestDatabase, createTestUser } from '../testing/index.ts'
import { createConversation } from './conversations.ts'
import { listThread } from './messages.ts'
import { type BeginTurnInput, beginTurn } from './turns.ts'

/**
 * Races that only a real Postgres can show: PGlite runs one transaction at a time. Runs with
 * `TEST_DATABASE_URL` set (see docs/development.md) and is skipped without it.
 */
describe.skipIf(!testDatabaseUrl)('two turns sent at once on Postgres', () => {
  let db: Database
  beforeAll(async () => {
    db = await createTestDatabase()
  })
  afterAll(() => db?.close())

  const send = (conversationId: string, content: string): BeginTurnInput => ({
    kind: 'send',
    conversationId,
    content,
    tokenCount: 2,
    offered: ['m-1'],
    defaultModel: 'm-1',
    historyTokens: 100_000,
  })

  it('keeps both exchanges in the thread, every time', async () => {
    const user = await createTestUser(db)
    for (let round = 0; round < 20; round++) {
      const c = await db.withUser(user.claims, (tx) => createConversation(tx))
      await db.withUser(user.claims, (tx) => beginTurn(tx, send(c.id, `first ${round}`)))
      const [left, right] = await Promise.all(
        ['left', 'right'].map((side) =>
          db.withUser(user.claims, (tx) => beginTurn(tx, send(c.id, `${side} ${round}`))),
        ),
      )
      expect([left?.status, right?.status]).toEqual(['new', 'new'])
      const thread = await db.withUser(user.claims, (tx) => listThread(tx, c.id, { limit: 50 }))
      const asked = thread.items.filter((m) => m.role === 'user').map((m) => m.content)
      expect(asked.sort()).toEqual([`first ${round}`, `left ${round}`, `right ${round}`])
      expect(thread.items.filter((m) => m.role === 'assistant')).toHaveLength(3)
    }
  })
})
