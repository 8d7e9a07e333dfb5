import { randomUUID } from 'node:crypto'
import { messages } from '@parley/schema/tables'
import { count, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Tx } from '../client.ts'
import { createTestDatabase, createTestUser, type TestUser } from '../testing/index.ts'
import { createConversation } from './conversations.ts'
import {
  appendMessage,
  getLatestMessage,
  listThread,
  loadContextThread,
  type MessageRow,
  updateMessage,
} from './messages.ts'

let db: Database
let user: TestUser
beforeAll(async () => {
  db = await createTestDatabase()
  user = await createTestUser(db)
})
afterAll(() => db?.close())

const as = <T>(fn: (tx: Tx) => Promise<T>) => db.withUser(user.claims, fn)

async function newConversation() {
  return as((tx) => createConversation(tx))
}

/** A linear thread of `turns` user/assistant pairs; returns the messages in order. */
async function seedThread(conversationId: string, turns: number, tokenCount = 10) {
  return as(async (tx) => {
    const rows: MessageRow[] = []
    let parentId: string | null = null
    for (let i = 0; i < turns * 2; i++) {
      const { message } = await appendMessage(tx, {
        conversationId,
        parentId,
        role: i % 2 === 0 ? 'user' : 'assistant',
        content: `message ${i}`,
        tokenCount,
      })
      rows.push(message)
      parentId = message.id
    }
    return rows
  })
}

describe('appending a message', () => {
  it('stores it for the caller', async () => {
    const c = await newConversation()
    const { message, created } = await as((tx) =>
      appendMessage(tx, { conversationId: c.id, role: 'user', content: 'Hi', tokenCount: 2 }),
    )
    expect(created).toBe(true)
    expect(message).toMatchObject({
      userId: user.id,
      role: 'user',
      status: 'complete',
      tokenCount: 2,
    })
  })

  it('is idempotent on the caller’s id', async () => {
    const c = await newConversation()
    const id = randomUUID()
    const first = await as((tx) =>
      appendMessage(tx, { id, conversationId: c.id, role: 'user', content: 'once' }),
    )
    const again = await as((tx) =>
      appendMessage(tx, { id, conversationId: c.id, role: 'user', content: 'once' }),
    )
    expect(first.created).toBe(true)
    expect(again).toEqual({ message: first.message, created: false })
  })

  it('creates exactly one row under 50 parallel appends of the same id', async () => {
    const c = await newConversation()
    const id = randomUUID()
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        as((tx) => appendMessage(tx, { id, conversationId: c.id, role: 'user', content: 'race' })),
      ),
    )
    expect(results.filter((r) => r.created)).toHaveLength(1)
    expect(new Set(results.map((r) => r.message.id))).toEqual(new Set([id]))
    const [row] = await as((tx) =>
      tx.select({ n: count() }).from(messages).where(eq(messages.id, id)),
    )
    expect(row?.n).toBe(1)
  })

  it('refuses an id already used in another conversation', async () => {
    const [a, b] = [await newConversation(), await newConversation()]
    const id = randomUUID()
    await as((tx) => appendMessage(tx, { id, conversationId: a.id, role: 'user', content: 'a' }))
    await expect(
      as((tx) => appendMessage(tx, { id, conversationId: b.id, role: 'user', content: 'b' })),
    ).rejects.toMatchObject({ code: 'conflict' })
  })

  it('refuses an id that belongs to another user, without revealing the message', async () => {
    const stranger = await createTestUser(db)
    const theirs = await db.withUser(stranger.claims, async (tx) => {
      const c = await createConversation(tx)
      return appendMessage(tx, { conversationId: c.id, role: 'user', content: 'secret' })
    })
    const c = await newConversation()
    const error = await as((tx) =>
      appendMessage(tx, {
        id: theirs.message.id,
        conversationId: c.id,
        role: 'user',
        content: 'mine',
      }),
    ).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'conflict' })
    expect(String((error as Error).message)).not.toContain('secret')
  })

  it('refuses a parent from another conversation', async () => {
    const [a, b] = [await newConversation(), await newConversation()]
    const [first] = await seedThread(a.id, 1)
    await expect(
      as((tx) =>
        appendMessage(tx, {
          conversationId: b.id,
          parentId: first?.id,
          role: 'user',
          content: 'x',
        }),
      ),
    ).rejects.toMatchObject({ code: 'not_found', sqlState: '23503' })
  })

  it('refuses a message that answers itself or a later message, so a thread has no cycle', async () => {
    const c = await newConversation()
    const id = randomUUID()
    await expect(
      as((tx) =>
        appendMessage(tx, { id, conversationId: c.id, parentId: id, role: 'user', content: 'x' }),
      ),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      constraint: 'messages_parent_not_self',
      message: 'parentId: a message cannot answer itself',
    })
    const [first, second] = await seedThread(c.id, 1)
    if (!first || !second) throw new Error('seeded')
    // Even the service role cannot point a message at itself or at a later one.
    for (const parentId of [second.id, first.id]) {
      await expect(
        db.asService((tx) =>
          tx.update(messages).set({ parentId }).where(eq(messages.id, first.id)),
        ),
      ).rejects.toMatchObject({ code: 'invalid_input', sqlState: '23514' })
    }
    const [kept] = await as((tx) => tx.select().from(messages).where(eq(messages.id, first.id)))
    expect(kept?.parentId).toBeNull()
  })

  it('rejects invalid input before SQL', async () => {
    const c = await newConversation()
    for (const input of [
      { conversationId: c.id, role: 'narrator', content: 'x' },
      { conversationId: c.id, role: 'user', content: 'x'.repeat(1_000_001) },
      { conversationId: 'nope', role: 'user', content: 'x' },
      { conversationId: c.id, role: 'user', content: 'x', tokenCount: -1 },
      { conversationId: c.id, role: 'user', content: 'x', userId: randomUUID() },
    ]) {
      await expect(
        as((tx) => appendMessage(tx, input as Parameters<typeof appendMessage>[1])),
      ).rejects.toMatchObject({ code: 'invalid_input' })
    }
    expect((await as((tx) => listThread(tx, c.id))).items).toEqual([])
  })
})

describe('the active thread', () => {
  it('pages oldest-first from the newest message backwards', async () => {
    const c = await newConversation()
    const all = await seedThread(c.id, 10)
    const pages: string[][] = []
    let before: string | undefined
    do {
      const page = await as((tx) =>
        listThread(tx, c.id, { limit: 6, ...(before ? { before } : {}) }),
      )
      pages.push(page.items.map((m) => m.content))
      before = page.nextCursor ?? undefined
    } while (before)
    expect(pages).toEqual([
      all.slice(14).map((m) => m.content),
      all.slice(8, 14).map((m) => m.content),
      all.slice(2, 8).map((m) => m.content),
      all.slice(0, 2).map((m) => m.content),
    ])
  })

  it('shows a regenerated reply in place of the one it replaces', async () => {
    const c = await newConversation()
    const [question, firstReply] = await seedThread(c.id, 1)
    const regenerated = await as((tx) =>
      appendMessage(tx, {
        conversationId: c.id,
        parentId: question?.id ?? null,
        role: 'assistant',
        content: 'second try',
      }),
    )
    const thread = await as((tx) => listThread(tx, c.id))
    expect(thread.items.map((m) => m.id)).toEqual([question?.id, regenerated.message.id])
    expect(thread.items.map((m) => m.id)).not.toContain(firstReply?.id)
    expect((await as((tx) => getLatestMessage(tx, c.id)))?.id).toBe(regenerated.message.id)
  })

  it('is empty for a new conversation and for someone else’s', async () => {
    const c = await newConversation()
    await seedThread(c.id, 2)
    expect(await as((tx) => listThread(tx, randomUUID()))).toEqual({
      items: [],
      nextCursor: null,
    })
    const stranger = await createTestUser(db)
    expect(await db.withUser(stranger.claims, (tx) => listThread(tx, c.id))).toEqual({
      items: [],
      nextCursor: null,
    })
  })
})

describe('loading context', () => {
  it('returns as many newest messages as the token budget allows, oldest first', async () => {
    const c = await newConversation()
    const all = await seedThread(c.id, 50, 100) // 100 messages of 100 tokens
    const last = all.at(-1)
    if (!last) throw new Error('seeded')
    const context = await as((tx) => loadContextThread(tx, c.id, last.id, { maxTokens: 1_050 }))
    // The message that crosses the budget is included so the caller can decide about it.
    expect(context.map((m) => m.id)).toEqual(all.slice(-11).map((m) => m.id))
    expect(context[0]).toEqual({
      id: all[89]?.id,
      role: 'assistant',
      content: 'message 89',
      tokenCount: 100,
      status: 'complete',
    })
  })

  it('follows the branch it starts from', async () => {
    const c = await newConversation()
    const [question, reply] = await seedThread(c.id, 1)
    const alt = await as((tx) =>
      appendMessage(tx, {
        conversationId: c.id,
        parentId: question?.id ?? null,
        role: 'assistant',
        content: 'alternative',
      }),
    )
    const context = await as((tx) =>
      loadContextThread(tx, c.id, reply?.id ?? '', { maxTokens: 10_000 }),
    )
    expect(context.map((m) => m.id)).toEqual([question?.id, reply?.id])
    expect(context.map((m) => m.id)).not.toContain(alt.message.id)
  })
})

describe('updating an assistant message', () => {
  it('records its content, status, usage and timings', async () => {
    const c = await newConversation()
    const { message } = await as((tx) =>
      appendMessage(tx, {
        conversationId: c.id,
        role: 'assistant',
        content: '',
        status: 'streaming',
      }),
    )
    const updated = await as((tx) =>
      updateMessage(tx, message.id, {
        content: 'Partial answer',
        status: 'incomplete',
        inputTokens: 120,
        outputTokens: 3,
        tokenCount: 3,
        costMicroUsd: 45,
        ttftMs: 180,
        latencyMs: 950,
        error: { code: 'aborted', message: 'Stopped' },
      }),
    )
    expect(updated).toMatchObject({
      content: 'Partial answer',
      status: 'incomplete',
      outputTokens: 3,
      costMicroUsd: 45,
      error: { code: 'aborted', message: 'Stopped' },
    })
    expect(updated?.updatedAt.getTime()).toBeGreaterThanOrEqual(message.updatedAt.getTime())
  })

  it('does nothing to another user’s message', async () => {
    const c = await newConversation()
    const { message } = await as((tx) =>
      appendMessage(tx, { conversationId: c.id, role: 'assistant', content: 'mine' }),
    )
    const stranger = await createTestUser(db)
    expect(
      await db.withUser(stranger.claims, (tx) => updateMessage(tx, message.id, { content: 'x' })),
    ).toBeNull()
  })
})
