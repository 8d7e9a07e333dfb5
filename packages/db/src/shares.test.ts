import { conversationShares, profiles } from '@parley/schema/tables'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Tx } from './client.ts'
import { DbError } from './errors.ts'
import {
  createConversation,
  deleteConversation,
  switchBranch,
} from './repositories/conversations.ts'
import { appendMessage } from './repositories/messages.ts'
import { createShare, listShares, readShare, revokeShare } from './repositories/shares.ts'
import { anonClaims, createTestDatabase, createTestUser, type TestUser } from './testing/index.ts'

let db: Database
let owner: TestUser
let other: TestUser

beforeAll(async () => {
  db = await createTestDatabase()
  owner = await createTestUser(db)
  other = await createTestUser(db)
})
afterAll(() => db?.close())

const as = <T>(user: TestUser, fn: (tx: Tx) => Promise<T>) => db.withUser(user.claims, fn)
const asAnon = <T>(fn: (tx: Tx) => Promise<T>) => db.withUser(anonClaims, fn)

async function failure(work: Promise<unknown>) {
  return work.then(
    () => undefined,
    (error: unknown) => error,
  )
}

/** A conversation of `user`: a question, a reply, a follow-up and its reply. */
async function sharedChat(user: TestUser) {
  return as(user, async (tx) => {
    const conversation = await createConversation(tx, { title: 'Sky colours' })
    const append = async (role: 'user' | 'assistant', content: string, parentId: string | null) =>
      (
        await appendMessage(tx, {
          conversationId: conversation.id,
          role,
          content,
          parentId,
          ...(role === 'assistant' ? { model: 'model-a', status: 'complete' as const } : {}),
        })
      ).message
    const question = await append('user', 'Why is the sky blue?', null)
    const reply = await append('assistant', 'Rayleigh scattering.', question.id)
    const followUp = await append('user', 'And sunsets?', reply.id)
    const lastReply = await append('assistant', 'Longer path, more red.', followUp.id)
    return { conversation, question, reply, followUp, lastReply }
  })
}

describe('creating a share', () => {
  it('copies the shown thread up to its end, and later messages never reach it', async () => {
    const chat = await sharedChat(owner)
    const share = await as(owner, (tx) => createShare(tx, chat.conversation.id))
    expect(share).toMatchObject({
      conversationId: chat.conversation.id,
      messageId: chat.lastReply.id,
      userId: owner.id,
      title: 'Sky colours',
      messageCount: 4,
      revokedAt: null,
    })
    expect(share?.id).toMatch(/^[A-Za-z0-9_-]{24}$/)

    await as(owner, (tx) =>
      appendMessage(tx, {
        conversationId: chat.conversation.id,
        role: 'user',
        content: 'A message after the share',
        parentId: chat.lastReply.id,
      }),
    )
    const read = await asAnon((tx) => readShare(tx, share?.id ?? ''))
    expect(read).toEqual({
      status: 'live',
      id: share?.id,
      title: 'Sky colours',
      createdAt: expect.any(String),
      messages: [
        {
          role: 'user',
          content: 'Why is the sky blue?',
          model: null,
          createdAt: expect.any(String),
        },
        {
          role: 'assistant',
          content: 'Rayleigh scattering.',
          model: 'model-a',
          createdAt: expect.any(String),
        },
        { role: 'user', content: 'And sunsets?', model: null, createdAt: expect.any(String) },
        {
          role: 'assistant',
          content: 'Longer path, more red.',
          model: 'model-a',
          createdAt: expect.any(String),
        },
      ],
    })
    expect(JSON.stringify(read)).not.toContain(owner.id)
    expect(JSON.stringify(read)).not.toContain(owner.email)
  })

  it('stops at the chosen message and follows its branch, not the newest one', async () => {
    const chat = await sharedChat(owner)
    const edited = await as(owner, async (tx) => {
      const { message } = await appendMessage(tx, {
        conversationId: chat.conversation.id,
        role: 'user',
        content: 'What about at noon?',
        parentId: chat.reply.id,
      })
      await switchBranch(tx, chat.conversation.id, chat.lastReply.id)
      return message
    })
    const upToEdit = await as(owner, (tx) =>
      createShare(tx, chat.conversation.id, { messageId: edited.id }),
    )
    const read = await asAnon((tx) => readShare(tx, upToEdit?.id ?? ''))
    expect(read?.status === 'live' && read.messages.map((m) => m.content)).toEqual([
      'Why is the sky blue?',
      'Rayleigh scattering.',
      'What about at noon?',
    ])
  })

  it('refuses a message of another conversation, and a conversation with nothing in it', async () => {
    const chat = await sharedChat(owner)
    const elsewhere = await sharedChat(owner)
    expect(
      await failure(
        as(owner, (tx) =>
          createShare(tx, chat.conversation.id, { messageId: elsewhere.question.id }),
        ),
      ),
    ).toMatchObject({ code: 'not_found' })
    const empty = await as(owner, (tx) => createConversation(tx))
    expect(await failure(as(owner, (tx) => createShare(tx, empty.id)))).toMatchObject({
      code: 'conflict',
    })
  })
})

describe('shares under row-level security', () => {
  it('hides a share from another user and from anon, who cannot list, revoke or share it', async () => {
    const chat = await sharedChat(owner)
    const share = await as(owner, (tx) => createShare(tx, chat.conversation.id))
    const id = share?.id ?? ''

    expect(await as(other, (tx) => tx.select().from(conversationShares))).toEqual([])
    expect(await as(other, (tx) => listShares(tx, chat.conversation.id))).toBeNull()
    expect(await as(other, (tx) => createShare(tx, chat.conversation.id))).toBeNull()
    expect(await as(other, (tx) => revokeShare(tx, id))).toBeNull()
    const anonRead = await failure(asAnon((tx) => tx.select().from(conversationShares)))
    expect(anonRead).toBeInstanceOf(DbError)
    expect(anonRead).toMatchObject({ code: 'forbidden', sqlState: '42501' })

    const [stored] = await db.asService((tx) =>
      tx.select().from(conversationShares).where(eq(conversationShares.id, id)),
    )
    expect(stored?.revokedAt).toBeNull()
    expect(await as(owner, (tx) => listShares(tx, chat.conversation.id))).toHaveLength(1)
  })

  it('does not let a user insert a share of another user’s conversation, or in their name', async () => {
    const chat = await sharedChat(owner)
    const mine = await sharedChat(other)
    const row = (conversationId: string, messageId: string, userId?: string) => ({
      id: 'a'.repeat(24),
      conversationId,
      messageId,
      snapshot: [],
      messageCount: 0,
      ...(userId ? { userId } : {}),
    })
    for (const values of [
      row(chat.conversation.id, chat.lastReply.id),
      row(mine.conversation.id, chat.lastReply.id),
      row(mine.conversation.id, mine.lastReply.id, owner.id),
    ]) {
      expect(
        await failure(as(other, (tx) => tx.insert(conversationShares).values(values))),
      ).toMatchObject({ code: 'forbidden' })
    }
  })

  it('keeps the snapshot immutable and a revocation final', async () => {
    const chat = await sharedChat(owner)
    const share = await as(owner, (tx) => createShare(tx, chat.conversation.id))
    const id = share?.id ?? ''
    expect(
      await failure(
        as(owner, (tx) =>
          tx.update(conversationShares).set({ snapshot: [] }).where(eq(conversationShares.id, id)),
        ),
      ),
    ).toMatchObject({ code: 'forbidden' })
    const revoked = await as(owner, (tx) => revokeShare(tx, id))
    expect(revoked?.revokedAt).toBeInstanceOf(Date)
    expect(
      await failure(
        as(owner, (tx) =>
          tx
            .update(conversationShares)
            .set({ revokedAt: null })
            .where(eq(conversationShares.id, id)),
        ),
      ),
    ).toMatchObject({ code: 'forbidden' })
    expect((await as(owner, (tx) => revokeShare(tx, id)))?.revokedAt).toEqual(revoked?.revokedAt)
  })
})

describe('read_share', () => {
  it('signals a revoked link without its snapshot, and knows no unknown id', async () => {
    const chat = await sharedChat(owner)
    const share = await as(owner, (tx) => createShare(tx, chat.conversation.id))
    const id = share?.id ?? ''
    await as(owner, (tx) => revokeShare(tx, id))
    expect(await asAnon((tx) => readShare(tx, id))).toEqual({ status: 'revoked' })
    expect(await as(other, (tx) => readShare(tx, id))).toEqual({ status: 'revoked' })
    expect(await asAnon((tx) => readShare(tx, 'b'.repeat(24)))).toBeNull()
    expect(await asAnon((tx) => readShare(tx, "' or true --"))).toBeNull()
  })

  it('goes with its conversation', async () => {
    const chat = await sharedChat(owner)
    const share = await as(owner, (tx) => createShare(tx, chat.conversation.id))
    await as(owner, (tx) => deleteConversation(tx, chat.conversation.id))
    expect(await asAnon((tx) => readShare(tx, share?.id ?? ''))).toBeNull()
    const left = await db.asService((tx) =>
      tx
        .select()
        .from(conversationShares)
        .where(eq(conversationShares.id, share?.id ?? '')),
    )
    expect(left).toEqual([])
  })
})

describe('the stored-bytes quota', () => {
  const storedBytes = (user: TestUser) =>
    db.asService(async (tx) => {
      const [row] = await tx
        .select({ bytes: profiles.storedBytes })
        .from(profiles)
        .where(eq(profiles.id, user.id))
      return row?.bytes ?? 0
    })

  it('counts a snapshot’s bytes while its link exists', async () => {
    const user = await createTestUser(db)
    const chat = await sharedChat(user)
    const before = await storedBytes(user)
    const share = await as(user, (tx) => createShare(tx, chat.conversation.id))
    const [stored] = await db.asService((tx) =>
      tx
        .select({ size: sql<number>`octet_length(${conversationShares.snapshot}::text)` })
        .from(conversationShares)
        .where(eq(conversationShares.id, share?.id ?? '')),
    )
    expect(await storedBytes(user)).toBe(before + Number(stored?.size))
    await as(user, (tx) => deleteConversation(tx, chat.conversation.id))
    expect(await storedBytes(user)).toBe(0)
  })

  it('refuses a share its owner has no room left for, and stores nothing', async () => {
    const tight = await createTestDatabase({
      quotas: { conversations: 10, messagesPerConversation: 10, storedBytes: 200 },
    })
    try {
      const user = await createTestUser(tight)
      const shareable = await tight.withUser(user.claims, async (tx) => {
        const conversation = await createConversation(tx)
        await appendMessage(tx, {
          conversationId: conversation.id,
          role: 'user',
          content: 'x'.repeat(150),
        })
        return conversation
      })
      const refused = await failure(
        tight.withUser(user.claims, (tx) => createShare(tx, shareable.id)),
      )
      expect(refused).toMatchObject({ code: 'quota_exceeded', quota: { quota: 'storedBytes' } })
      const stored = await tight.asService((tx) =>
        tx
          .select()
          .from(conversationShares)
          .where(eq(conversationShares.conversationId, shareable.id)),
      )
      expect(stored).toEqual([])
    } finally {
      await tight.close()
    }
  })
})
