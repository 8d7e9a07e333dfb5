import { conversations } from '@parley/schema/tables'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Tx } from '../client.ts'
import { createTestDatabase, createTestUser, type TestUser } from '../testing/index.ts'
import {
  type ConversationRow,
  claimTitleRequest,
  createConversation,
  deleteConversation,
  getConversation,
  listConversations,
  setGeneratedTitle,
  updateConversation,
} from './conversations.ts'
import { beginTurn } from './turns.ts'

let db: Database
beforeAll(async () => {
  db = await createTestDatabase()
})
afterAll(() => db?.close())

const as = <T>(user: TestUser, fn: (tx: Tx) => Promise<T>) => db.withUser(user.claims, fn)

async function listAll(user: TestUser, limit: number, archived = false) {
  const seen: ConversationRow[] = []
  let cursor: string | undefined
  let pages = 0
  do {
    const page = await as(user, (tx) =>
      listConversations(tx, { limit, archived, ...(cursor ? { cursor } : {}) }),
    )
    seen.push(...page.items)
    cursor = page.nextCursor ?? undefined
    pages++
  } while (cursor && pages < 100)
  return { seen, pages }
}

describe('conversations', () => {
  it('are created for the caller and read back by id', async () => {
    const user = await createTestUser(db)
    const created = await as(user, (tx) =>
      createConversation(tx, { title: 'Trip planning', temperature: 0.3 }),
    )
    expect(created).toMatchObject({ userId: user.id, title: 'Trip planning', temperature: 0.3 })
    expect(await as(user, (tx) => getConversation(tx, created.id))).toEqual(created)
  })

  it('are invisible by id to anyone else', async () => {
    const [owner, stranger] = [await createTestUser(db), await createTestUser(db)]
    const created = await as(owner, (tx) => createConversation(tx))
    expect(await as(stranger, (tx) => getConversation(tx, created.id))).toBeNull()
    expect(
      await as(stranger, (tx) => updateConversation(tx, created.id, { title: 'x' })),
    ).toBeNull()
    expect(await as(stranger, (tx) => deleteConversation(tx, created.id))).toBe(false)
  })

  it('list newest activity first across pages without gaps or repeats', async () => {
    const user = await createTestUser(db)
    // Distinct activity times, oldest first.
    const ids: string[] = []
    for (let i = 0; i < 23; i++) {
      const row = await as(user, async (tx) => {
        const created = await createConversation(tx, { title: `c${i}` })
        await tx
          .update(conversations)
          .set({ lastMessageAt: sql`now() + make_interval(secs => ${i})` })
          .where(sql`${conversations.id} = ${created.id}`)
        return created
      })
      ids.push(row.id)
    }
    const { seen, pages } = await listAll(user, 10)
    expect(pages).toBe(3)
    expect(seen.map((c) => c.id)).toEqual([...ids].reverse())
  })

  it('paginate correctly when many share one timestamp', async () => {
    const user = await createTestUser(db)
    // One transaction: every row gets the same now().
    const created = await as(user, async (tx) => {
      const rows: ConversationRow[] = []
      for (let i = 0; i < 7; i++) rows.push(await createConversation(tx))
      return rows
    })
    const { seen } = await listAll(user, 3)
    expect(seen).toHaveLength(7)
    expect(new Set(seen.map((c) => c.id))).toEqual(new Set(created.map((c) => c.id)))
  })

  it('move to the top when a turn opens, not when renamed', async () => {
    const user = await createTestUser(db)
    const a = await as(user, (tx) => createConversation(tx, { title: 'a' }))
    const b = await as(user, (tx) => createConversation(tx, { title: 'b' }))
    await as(user, (tx) =>
      tx.execute(sql`update public.conversations set last_message_at = now() - interval '1 hour'
        where id = ${a.id}`),
    )
    await as(user, (tx) => updateConversation(tx, a.id, { title: 'a renamed' }))
    let page = await as(user, (tx) => listConversations(tx))
    expect(page.items.map((c) => c.id)).toEqual([b.id, a.id])
    await as(user, (tx) =>
      beginTurn(tx, {
        kind: 'send',
        conversationId: a.id,
        content: 'bump',
        tokenCount: 1,
        offered: ['m'],
        defaultModel: 'm',
        historyTokens: 1_000,
      }),
    )
    page = await as(user, (tx) => listConversations(tx))
    expect(page.items.map((c) => c.id)).toEqual([a.id, b.id])
  })

  it('archive out of the main list and back', async () => {
    const user = await createTestUser(db)
    const c = await as(user, (tx) => createConversation(tx))
    const archived = await as(user, (tx) => updateConversation(tx, c.id, { archived: true }))
    expect(archived?.archivedAt).toBeInstanceOf(Date)
    expect((await listAll(user, 10)).seen).toEqual([])
    expect((await listAll(user, 10, true)).seen.map((x) => x.id)).toEqual([c.id])
    await as(user, (tx) => updateConversation(tx, c.id, { archived: false }))
    expect((await listAll(user, 10)).seen.map((x) => x.id)).toEqual([c.id])
  })

  it('keep a title the user chose over a generated one', async () => {
    const user = await createTestUser(db)
    const untitled = await as(user, (tx) => createConversation(tx))
    expect((await as(user, (tx) => setGeneratedTitle(tx, untitled.id, 'Generated')))?.title).toBe(
      'Generated',
    )
    const named = await as(user, (tx) => createConversation(tx, { title: 'Mine' }))
    expect(await as(user, (tx) => setGeneratedTitle(tx, named.id, 'Generated'))).toBeNull()
    expect((await as(user, (tx) => getConversation(tx, named.id)))?.title).toBe('Mine')
  })

  it('grant one title request per untitled conversation, to its owner only', async () => {
    const [user, other] = [await createTestUser(db), await createTestUser(db)]
    const untitled = await as(user, (tx) => createConversation(tx))
    expect(await as(other, (tx) => claimTitleRequest(tx, untitled.id))).toBe(false)
    expect(await as(user, (tx) => claimTitleRequest(tx, untitled.id))).toBe(true)
    expect(await as(user, (tx) => claimTitleRequest(tx, untitled.id))).toBe(false)
    const claimed = await as(user, (tx) => getConversation(tx, untitled.id))
    expect(claimed).toMatchObject({ title: null, titleRequestedAt: expect.any(Date) })
    const named = await as(user, (tx) => createConversation(tx, { title: 'Mine' }))
    expect(await as(user, (tx) => claimTitleRequest(tx, named.id))).toBe(false)
  })

  it('are deleted with their messages', async () => {
    const user = await createTestUser(db)
    const c = await as(user, (tx) => createConversation(tx))
    expect(await as(user, (tx) => deleteConversation(tx, c.id))).toBe(true)
    expect(await as(user, (tx) => getConversation(tx, c.id))).toBeNull()
    expect(await as(user, (tx) => deleteConversation(tx, c.id))).toBe(false)
  })
})

describe('conversation input', () => {
  it('is validated before any SQL and nothing is written', async () => {
    const user = await createTestUser(db)
    const bad = [
      () => as(user, (tx) => createConversation(tx, { title: 'x'.repeat(201) })),
      () => as(user, (tx) => createConversation(tx, { temperature: 3 })),
      () =>
        as(user, (tx) =>
          createConversation(tx, { userId: user.id } as unknown as Parameters<
            typeof createConversation
          >[1]),
        ),
      () => as(user, (tx) => getConversation(tx, 'not-a-uuid')),
      () => as(user, (tx) => updateConversation(tx, crypto.randomUUID(), {})),
      () => as(user, (tx) => listConversations(tx, { limit: 0 })),
      () => as(user, (tx) => listConversations(tx, { cursor: 'bm90LWEtY3Vyc29y' })),
    ]
    for (const attempt of bad) {
      await expect(attempt()).rejects.toMatchObject({ name: 'DbError', code: 'invalid_input' })
    }
    expect((await listAll(user, 10)).seen).toEqual([])
  })
})
