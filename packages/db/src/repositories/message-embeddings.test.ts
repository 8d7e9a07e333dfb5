import type { SearchHit } from '@parley/schema/contracts'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Tx } from '../client.ts'
import { executedRows } from '../json-row.ts'
import { createTestDatabase, createTestUser, type TestUser } from '../testing/index.ts'
import { createConversation, deleteConversation } from './conversations.ts'
import { search, vectorSearchAvailable } from './knowledge.ts'
import {
  embeddedMessageChars,
  listMessagesToEmbed,
  type MessageToEmbed,
  storeMessageEmbeddings,
} from './message-embeddings.ts'
import { appendMessage } from './messages.ts'

let db: Database
/** False on a Postgres without pgvector (`TEST_DATABASE_URL`): keyword search only. */
let vectors: boolean
beforeAll(async () => {
  db = await createTestDatabase()
  vectors = await db.asService(vectorSearchAvailable)
})
afterAll(() => db?.close())

const as = <T>(user: TestUser, fn: (tx: Tx) => Promise<T>) => db.withUser(user.claims, fn)
const model = 'test-embed'

interface Said {
  role: 'user' | 'assistant'
  content: string
  status?: 'streaming'
  embedding?: number[]
}

/** A conversation of the user's holding these messages, embedded where an embedding is given. */
async function conversationWith(user: TestUser, messages: Said[]) {
  return as(user, async (tx) => {
    const conversation = await createConversation(tx, { title: 'Notes' })
    const ids: string[] = []
    for (const { embedding, ...message } of messages) {
      const { message: row } = await appendMessage(tx, {
        conversationId: conversation.id,
        ...message,
      })
      ids.push(row.id)
      if (embedding) {
        await storeMessageEmbeddings(tx, { model, items: [{ messageId: row.id, embedding }] })
      }
    }
    return { conversationId: conversation.id, messageIds: ids }
  })
}

const messageIds = (items: SearchHit[]) =>
  items.flatMap((hit) => (hit.kind === 'message' ? [hit.messageId] : []))

async function embeddingCount(messageId: string): Promise<number> {
  const [row] = await db.asService(async (tx) =>
    executedRows<{ n: number }>(
      await tx.execute(
        sql`select count(*)::integer as n from public.message_embeddings where message_id = ${messageId}::uuid`,
      ),
    ),
  )
  return row?.n ?? 0
}

/** Every message the sweep would embed for `model`, walking all windows from the start. */
async function sweep(window: number): Promise<MessageToEmbed[]> {
  const found: MessageToEmbed[] = []
  let after: string | undefined
  for (;;) {
    const page = await db.asService((tx) =>
      listMessagesToEmbed(tx, { model, window, ...(after ? { after } : {}) }),
    )
    found.push(...page.messages)
    if (!page.next) return found
    after = page.next
  }
}

describe('semantic search over messages', () => {
  it('finds a message by meaning that shares no word with the query', async (ctx) => {
    if (!vectors) ctx.skip()
    const user = await createTestUser(db)
    const {
      messageIds: [near = '', far = ''],
    } = await conversationWith(user, [
      { role: 'user', content: 'Photovoltaic cells on the roof.', embedding: [1, 0, 0] },
      { role: 'assistant', content: 'Unrelated recipe for bread.', embedding: [0, 0, 1] },
    ])
    const keyword = await as(user, (tx) => search(tx, { q: 'solar panels', scope: 'messages' }))
    expect(keyword.items).toEqual([])

    const semantic = await as(user, (tx) =>
      search(tx, {
        q: 'solar panels',
        scope: 'messages',
        embedding: [1, 0, 0],
        embeddingModel: model,
      }),
    )
    expect(semantic.semantic).toBe(true)
    expect(messageIds(semantic.items)).toEqual([near, far])
    expect(semantic.items[0]?.score).toBeCloseTo(1 / 61, 12)

    const otherModel = await as(user, (tx) =>
      search(tx, {
        q: 'solar panels',
        scope: 'messages',
        embedding: [1, 0, 0],
        embeddingModel: 'other-model',
      }),
    )
    expect(otherModel.items).toEqual([])
    const filesOnly = await as(user, (tx) =>
      search(tx, {
        q: 'solar panels',
        scope: 'files',
        embedding: [1, 0, 0],
        embeddingModel: model,
      }),
    )
    expect(filesOnly.items).toEqual([])
  })

  it('fuses keyword and vector ranks of messages', async (ctx) => {
    if (!vectors) ctx.skip()
    const user = await createTestUser(db)
    const {
      messageIds: [both = '', meaning = ''],
    } = await conversationWith(user, [
      { role: 'user', content: 'Solar panels convert sunlight.', embedding: [0.9, 0.1, 0] },
      { role: 'assistant', content: 'Photovoltaic cells on the roof.', embedding: [1, 0, 0] },
    ])
    const found = await as(user, (tx) =>
      search(tx, {
        q: 'solar panels',
        scope: 'messages',
        embedding: [1, 0, 0],
        embeddingModel: model,
      }),
    )
    expect(messageIds(found.items)).toEqual([both, meaning])
    expect(found.items[0]?.score).toBeCloseTo(1 / 61 + 1 / 62, 12)
  })

  it('never shows another user’s messages, even with their exact text and vector', async () => {
    const alice = await createTestUser(db)
    const bob = await createTestUser(db)
    const secret = 'Confidential merger with Northwind Traders'
    const {
      messageIds: [aliceMessage = ''],
    } = await conversationWith(alice, [{ role: 'user', content: secret, embedding: [0, 1, 0] }])
    const bobSees = await as(bob, (tx) =>
      search(tx, { q: secret, embedding: [0, 1, 0], embeddingModel: model }),
    )
    expect(bobSees.items).toEqual([])
    // Bob cannot store a vector on Alice's message either.
    expect(
      await as(bob, (tx) =>
        storeMessageEmbeddings(tx, {
          model: 'bob-model',
          items: [{ messageId: aliceMessage, embedding: [1, 0, 0] }],
        }),
      ),
    ).toBe(0)
    const aliceSees = await as(alice, (tx) =>
      search(tx, { q: secret, embedding: [0, 1, 0], embeddingModel: model }),
    )
    expect(messageIds(aliceSees.items)).toEqual([aliceMessage])
  })

  it('pages through keyword and meaning hits once each, in rank order', async () => {
    const user = await createTestUser(db)
    await conversationWith(
      user,
      Array.from({ length: 9 }, (_, i) => ({
        role: 'user' as const,
        content: i % 2 === 0 ? `${'glacier '.repeat(i + 1)}melt ${i}` : `Ice sheet retreat ${i}`,
        embedding: [1, i / 10, 0],
      })),
    )
    const query = {
      q: 'glacier',
      scope: 'messages' as const,
      embedding: [1, 0, 0],
      embeddingModel: model,
    }
    const all = await as(user, (tx) => search(tx, { ...query, limit: 50 }))
    const paged: SearchHit[] = []
    let cursor: string | undefined
    do {
      const page = await as(user, (tx) =>
        search(tx, { ...query, limit: 2, ...(cursor ? { cursor } : {}) }),
      )
      paged.push(...page.items)
      cursor = page.nextCursor ?? undefined
    } while (cursor)
    expect(paged).toEqual(all.items)
    // With vectors the ice sheet messages join by meaning; without, only keyword hits.
    expect(messageIds(all.items)).toHaveLength(vectors ? 9 : 5)
    const scores = all.items.map((hit) => hit.score)
    expect(scores).toEqual([...scores].sort((a, b) => b - a))
  })
})

describe('storing message embeddings', () => {
  it('replaces a vector of another model, keeps one of the same, and goes with its conversation', async (ctx) => {
    if (!vectors) ctx.skip()
    const user = await createTestUser(db)
    const {
      conversationId,
      messageIds: [id = ''],
    } = await conversationWith(user, [{ role: 'user', content: 'Tides.', embedding: [1, 0] }])
    const store = (m: string) =>
      as(user, (tx) =>
        storeMessageEmbeddings(tx, { model: m, items: [{ messageId: id, embedding: [0, 1] }] }),
      )
    expect(await store(model)).toBe(0)
    expect(await store('newer-model')).toBe(1)
    expect(await embeddingCount(id)).toBe(1)
    await as(user, (tx) => deleteConversation(tx, conversationId))
    expect(await embeddingCount(id)).toBe(0)
  })

  it('is refused to the Data API’s role', async () => {
    const user = await createTestUser(db)
    const {
      messageIds: [id = ''],
    } = await conversationWith(user, [{ role: 'user', content: 'Mine.' }])
    const attempt = db.asOwner(async (owner) => {
      await owner.query(
        `select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`,
        [JSON.stringify(user.claims)],
      )
      return owner.query(`select public.store_message_embeddings('m', $1::jsonb)`, [
        JSON.stringify([{ messageId: id, embedding: [1] }]),
      ])
    })
    await expect(attempt).rejects.toMatchObject({ sqlState: '42501' })
  })
})

describe('the catch-up sweep', () => {
  it('lists the messages without an embedding of the model, window by window', async () => {
    const user = await createTestUser(db)
    const long = `Long ${'x'.repeat(embeddedMessageChars + 500)}`
    const {
      messageIds: [plain = '', embedded = '', streaming = '', blank = '', longId = ''],
    } = await conversationWith(user, [
      { role: 'user', content: 'Not embedded yet.' },
      { role: 'assistant', content: 'Embedded already.', embedding: [1, 0] },
      { role: 'assistant', content: 'Being written', status: 'streaming' },
      { role: 'user', content: '   ' },
      { role: 'user', content: long },
    ])
    const mine = (found: MessageToEmbed[]) => found.filter((m) => m.userId === user.id)
    const small = mine(await sweep(2))
    const large = mine(await sweep(5000))
    expect(small).toEqual(large)
    const ids = small.map((m) => m.messageId)
    expect(ids).toEqual(expect.arrayContaining([plain, longId]))
    expect(ids).toHaveLength(vectors ? 2 : 3)
    expect(ids).not.toContain(streaming)
    expect(ids).not.toContain(blank)
    expect(ids.includes(embedded)).toBe(!vectors)
    expect(small.find((m) => m.messageId === longId)?.text).toHaveLength(embeddedMessageChars)
  })
})
