import { randomUUID } from 'node:crypto'
import { replyLeases } from '@parley/schema/tables'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../client.ts'
import { createTestDatabase, createTestUser, type TestUser } from '../testing/index.ts'
import { createConversation } from './conversations.ts'
import { getMessage, updateMessage } from './messages.ts'
import { closeOrphanedReplies, renewReplyLeases } from './reply-leases.ts'
import { type BeginTurnInput, beginTurn } from './turns.ts'

let db: Database
beforeAll(async () => {
  db = await createTestDatabase()
})
afterAll(() => db?.close())

const send = (conversationId: string, id: string, content: string): BeginTurnInput => ({
  kind: 'send',
  conversationId,
  id,
  content,
  tokenCount: 2,
  offered: ['m-1'],
  defaultModel: 'm-1',
  historyTokens: 100_000,
})

/** A turn whose reply is streaming and has `text` stored so far. */
async function streamingReply(user: TestUser, text: string) {
  const c = await db.withUser(user.claims, (tx) => createConversation(tx))
  const id = randomUUID()
  const begun = await db.withUser(user.claims, (tx) => beginTurn(tx, send(c.id, id, text)))
  if (begun.status !== 'new') throw new Error(`turn not opened: ${begun.status}`)
  await db.withUser(user.claims, (tx) =>
    updateMessage(tx, begun.assistantMessage.id, { content: text }),
  )
  return { conversationId: c.id, id, replyId: begun.assistantMessage.id }
}

const reply = (user: TestUser, id: string) => db.withUser(user.claims, (tx) => getMessage(tx, id))
const sweep = (limits = { staleSeconds: 30, unleasedSeconds: 300 }) =>
  db.asService((tx) => closeOrphanedReplies(tx, limits))
/** The owner of these leases stopped renewing them an hour ago. */
const silence = (instanceId: string) =>
  db.asService((tx) =>
    tx
      .update(replyLeases)
      .set({ heartbeatAt: sql`now() - interval '1 hour'` })
      .where(eq(replyLeases.instanceId, instanceId)),
  )

describe('reply leases', () => {
  it('closes the replies of a server that stopped renewing, keeping their text, and no others', async () => {
    const user = await createTestUser(db)
    const [alive, dead] = [randomUUID(), randomUUID()]
    const kept = await streamingReply(user, 'still being written')
    const lost = await streamingReply(user, 'half a reply')
    await db.asService((tx) => renewReplyLeases(tx, alive, [kept.replyId]))
    await db.asService((tx) => renewReplyLeases(tx, dead, [lost.replyId]))
    await silence(dead)

    expect(await sweep()).toBeGreaterThanOrEqual(1)
    expect(await reply(user, kept.replyId)).toMatchObject({ status: 'streaming' })
    expect(await reply(user, lost.replyId)).toMatchObject({
      status: 'incomplete',
      content: 'half a reply',
      error: { code: 'interrupted' },
    })
    const leases = await db.asService((tx) => tx.select().from(replyLeases))
    expect(leases.map((l) => l.messageId)).toContain(kept.replyId)
    expect(leases.map((l) => l.messageId)).not.toContain(lost.replyId)

    // The same send again reads the kept text back instead of waiting on a dead server.
    const again = await db.withUser(user.claims, (tx) =>
      beginTurn(tx, send(lost.conversationId, lost.id, 'half a reply')),
    )
    expect(again).toMatchObject({ status: 'replay', assistantMessage: { status: 'incomplete' } })
  })

  it('closes a reply that never had a lease only once it sat idle past the limit', async () => {
    const user = await createTestUser(db)
    const unleased = await streamingReply(user, 'no heartbeat yet')
    await sweep()
    expect(await reply(user, unleased.replyId)).toMatchObject({ status: 'streaming' })
    await sweep({ staleSeconds: 30, unleasedSeconds: 0 })
    expect(await reply(user, unleased.replyId)).toMatchObject({ status: 'incomplete' })
  })

  it('renews only replies still streaming', async () => {
    const user = await createTestUser(db)
    const done = await streamingReply(user, 'finished')
    await db.withUser(user.claims, (tx) => updateMessage(tx, done.replyId, { status: 'complete' }))
    await db.asService((tx) => renewReplyLeases(tx, randomUUID(), [done.replyId]))
    const leases = await db.asService((tx) =>
      tx.select().from(replyLeases).where(eq(replyLeases.messageId, done.replyId)),
    )
    expect(leases).toEqual([])
  })
})
