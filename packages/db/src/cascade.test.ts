import { conversations, invitations, messages, profiles, usageEvents } from '@parley/schema/tables'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from './client.ts'
import { deleteAuthUser } from './repositories/auth.ts'
import { createConversation, deleteConversation } from './repositories/conversations.ts'
import { consumeInvitation, createInvitation } from './repositories/invitations.ts'
import { appendMessage } from './repositories/messages.ts'
import { insertUsageEvent } from './repositories/usage-events.ts'
import { createTestDatabase, createTestUser, type TestUser } from './testing/index.ts'

let db: Database
beforeAll(async () => {
  db = await createTestDatabase()
})
afterAll(() => db?.close())

async function userWithActivity(user: TestUser) {
  return db.withUser(user.claims, async (tx) => {
    const conversation = await createConversation(tx, { title: 'to be deleted' })
    const { message } = await appendMessage(tx, {
      conversationId: conversation.id,
      role: 'user',
      content: 'hello',
    })
    const usage = await insertUsageEvent(tx, {
      conversationId: conversation.id,
      messageId: message.id,
      provider: 'openai',
      model: 'gpt-test',
      status: 'ok',
      costMicroUsd: 1234,
    })
    return { conversation, message, usage }
  })
}

describe('deleting data', () => {
  it('deleting an admin or an invited user keeps the invitation, without the reference', async () => {
    const admin = await createTestUser(db, { admin: true })
    const invited = await createTestUser(db)
    const tokenHash = 'a'.repeat(64)
    const invitation = await db.withUser(admin.claims, (tx) =>
      createInvitation(tx, {
        email: invited.email,
        tokenHash,
        expiresAt: new Date(Date.now() + 60_000),
      }),
    )
    await db.asService((tx) =>
      consumeInvitation(tx, { tokenHash, email: invited.email, userId: invited.id }),
    )
    await db.asService((tx) => deleteAuthUser(tx, admin.id))
    await db.asService((tx) => deleteAuthUser(tx, invited.id))
    const [kept] = await db.asService((tx) =>
      tx.select().from(invitations).where(eq(invitations.id, invitation.id)),
    )
    expect(kept).toMatchObject({ createdBy: null, usedBy: null })
    expect(kept?.usedAt).toBeInstanceOf(Date)
  })

  it('deleting a user removes their profile, conversations and messages, and keeps their spend anonymised', async () => {
    const user = await createTestUser(db)
    const { conversation, message, usage } = await userWithActivity(user)

    expect(await db.asService((tx) => deleteAuthUser(tx, user.id))).toBe(true)

    await db.asService(async (tx) => {
      expect(await tx.select().from(profiles).where(eq(profiles.id, user.id))).toEqual([])
      expect(
        await tx.select().from(conversations).where(eq(conversations.id, conversation.id)),
      ).toEqual([])
      expect(await tx.select().from(messages).where(eq(messages.id, message.id))).toEqual([])
      const [kept] = await tx.select().from(usageEvents).where(eq(usageEvents.id, usage.id))
      expect(kept).toMatchObject({
        userId: null,
        conversationId: null,
        messageId: null,
        costMicroUsd: 1234,
      })
    })
  })

  it('deleting a conversation removes its messages and keeps its usage rows', async () => {
    const user = await createTestUser(db)
    const { conversation, message, usage } = await userWithActivity(user)

    expect(await db.withUser(user.claims, (tx) => deleteConversation(tx, conversation.id))).toBe(
      true,
    )

    const [remaining] = await db.withUser(user.claims, (tx) =>
      tx.select().from(usageEvents).where(eq(usageEvents.id, usage.id)),
    )
    expect(remaining).toMatchObject({ userId: user.id, conversationId: null, messageId: null })
    const gone = await db.asService((tx) =>
      tx.select().from(messages).where(eq(messages.id, message.id)),
    )
    expect(gone).toEqual([])
  })
})
