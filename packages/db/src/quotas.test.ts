import { conversations, profiles } from '@parley/schema/tables'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Tx } from './client.ts'
import { DbError } from './errors.ts'
import {
  createConversation,
  deleteConversation,
  updateConversation,
} from './repositories/conversations.ts'
import { type BeginTurnInput, beginTurn } from './repositories/turns.ts'
import { createTestDatabase, createTestUser, inspect, type TestUser } from './testing/index.ts'

const quotas = { conversations: 3, messagesPerConversation: 4, storedBytes: 1000 }

let db: Database
beforeAll(async () => {
  db = await createTestDatabase({ quotas })
})
afterAll(() => db?.close())

const as = <T>(user: TestUser, fn: (tx: Tx) => Promise<T>) => db.withUser(user.claims, fn)
const send = (conversationId: string, content: string): BeginTurnInput => ({
  kind: 'send',
  conversationId,
  content,
  tokenCount: 1,
  offered: ['m-1'],
  defaultModel: 'm-1',
  historyTokens: 10_000,
})

async function refusal(work: Promise<unknown>): Promise<DbError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof DbError)) throw new Error(`expected a refusal, got ${String(error)}`)
  return error
}

const counters = (user: TestUser) =>
  db.asService(async (tx) => {
    const [row] = await tx
      .select({ conversations: profiles.conversationCount, bytes: profiles.storedBytes })
      .from(profiles)
      .where(eq(profiles.id, user.id))
    return row
  })

const conversationsOf = (user: TestUser) =>
  db.asService((tx) => tx.select().from(conversations).where(eq(conversations.userId, user.id)))

describe('quotas', () => {
  it('admits exactly the conversation quota from a burst of concurrent creates', async () => {
    const user = await createTestUser(db)
    const burst = await Promise.allSettled(
      Array.from({ length: 10 }, () => as(user, (tx) => createConversation(tx))),
    )
    expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(3)
    const refused = burst.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []))
    expect(refused).toHaveLength(7)
    for (const error of refused) {
      expect(error).toMatchObject({
        code: 'quota_exceeded',
        quota: { quota: 'conversations', limit: 3, used: 3 },
      })
    }
    expect(await conversationsOf(user)).toHaveLength(3)
    expect(await counters(user)).toEqual({ conversations: 3, bytes: 0 })
  })

  it('frees quota when conversations are deleted', async () => {
    const user = await createTestUser(db)
    const made = []
    for (let i = 0; i < 3; i++) made.push(await as(user, (tx) => createConversation(tx)))
    await refusal(as(user, (tx) => createConversation(tx)))
    const first = made[0]
    if (!first) throw new Error('created')
    await as(user, (tx) => deleteConversation(tx, first.id))
    await as(user, (tx) => createConversation(tx))
    expect(await conversationsOf(user)).toHaveLength(3)
  })

  it('refuses a turn beyond the messages of a conversation, storing nothing of it', async () => {
    const user = await createTestUser(db)
    const c = await as(user, (tx) => createConversation(tx))
    await as(user, (tx) => beginTurn(tx, send(c.id, 'one')))
    await as(user, (tx) => beginTurn(tx, send(c.id, 'two')))
    const error = await refusal(as(user, (tx) => beginTurn(tx, send(c.id, 'three'))))
    expect(error).toMatchObject({
      code: 'quota_exceeded',
      quota: { quota: 'messagesPerConversation', limit: 4, used: 4 },
    })
    const stored = await inspect.messages(db, c.id)
    expect(stored.map((m) => m.content)).toEqual(['one', '', 'two', ''])
    expect(await counters(user)).toEqual({ conversations: 1, bytes: 6 })
  })

  it('counts message contents and system prompts against the stored bytes', async () => {
    const user = await createTestUser(db)
    const c = await as(user, (tx) => createConversation(tx, { systemPrompt: 'é'.repeat(300) }))
    await as(user, (tx) => beginTurn(tx, send(c.id, 'x'.repeat(300))))
    expect(await counters(user)).toEqual({ conversations: 1, bytes: 900 })

    const turn = await refusal(as(user, (tx) => beginTurn(tx, send(c.id, 'y'.repeat(101)))))
    expect(turn).toMatchObject({
      code: 'quota_exceeded',
      quota: { quota: 'storedBytes', limit: 1000, used: 900 },
    })
    expect(await inspect.messages(db, c.id)).toHaveLength(2)

    const prompt = await refusal(
      as(user, (tx) => createConversation(tx, { systemPrompt: 'z'.repeat(101) })),
    )
    expect(prompt.quota).toEqual({ quota: 'storedBytes', limit: 1000, used: 900 })
    await refusal(as(user, (tx) => updateConversation(tx, c.id, { systemPrompt: 'é'.repeat(351) })))

    await as(user, (tx) => updateConversation(tx, c.id, { systemPrompt: null }))
    expect(await counters(user)).toEqual({ conversations: 1, bytes: 300 })
    await as(user, (tx) => deleteConversation(tx, c.id))
    expect(await counters(user)).toEqual({ conversations: 0, bytes: 0 })
  })

  it('reads each limit through a function with no settings of its own, which its callers inline', async () => {
    // A SET clause (a search_path of its own) would forbid inlining and cost a save and restore
    // of the setting on each of the eight or more calls a chat turn makes.
    const [row] = await db.asOwner((owner) =>
      owner.query<{ config: string[] | null; definer: boolean }>(
        `select proconfig as config, prosecdef as definer from pg_proc
         where oid = 'public.quota_limit(text)'::regprocedure`,
      ),
    )
    expect(row).toEqual({ config: null, definer: false })
  })
})
