import {
  budgetReservations,
  budgets,
  conversations,
  invitations,
  liveStreams,
  messageEmbeddings,
  messageFeedback,
  messages,
  modelConfigs,
  originalDeletions,
  profiles,
  rateCounters,
  replyLeases,
  usageDaily,
  usageDailyConversations,
  usageEvents,
} from '@parley/schema/tables'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Tx } from './client.ts'
import { DbError } from './errors.ts'
import { executedRows } from './json-row.ts'
import {
  getBudgetState,
  reserveBudget,
  setBudgetOverride,
  settleBudget,
  sweepBudgetReservations,
} from './repositories/budgets.ts'
import { consumeInvitation, createInvitation } from './repositories/invitations.ts'
import { anonClaims, createTestDatabase, createTestUser, type TestUser } from './testing/index.ts'

let db: Database
let owner: TestUser
let other: TestUser
let admin: TestUser

beforeAll(async () => {
  db = await createTestDatabase()
  owner = await createTestUser(db, { displayName: 'Owner' })
  other = await createTestUser(db)
  admin = await createTestUser(db, { admin: true })
})
afterAll(() => db?.close())

const as = <T>(user: TestUser, fn: (tx: Tx) => Promise<T>) => db.withUser(user.claims, fn)
const asAnon = <T>(fn: (tx: Tx) => Promise<T>) => db.withUser(anonClaims, fn)

async function expectDenied(work: Promise<unknown>) {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DbError)
  expect(error).toMatchObject({ code: 'forbidden', sqlState: '42501' })
}

async function ownedConversation(user: TestUser) {
  return as(user, async (tx) => {
    const [row] = await tx.insert(conversations).values({ title: 'mine' }).returning()
    if (!row) throw new Error('no row')
    return row
  })
}

async function ownedMessage(user: TestUser, conversationId: string) {
  return as(user, async (tx) => {
    const [row] = await tx
      .insert(messages)
      .values({ conversationId, role: 'user', content: 'hello' })
      .returning()
    if (!row) throw new Error('no row')
    return row
  })
}

describe('profiles', () => {
  it('lets the owner read and update their own profile', async () => {
    const rows = await as(owner, (tx) => tx.select().from(profiles))
    expect(rows.map((r) => r.id)).toEqual([owner.id])
    expect(rows[0]?.displayName).toBe('Owner')
    const updated = await as(owner, (tx) =>
      tx.update(profiles).set({ theme: 'dark' }).where(eq(profiles.id, owner.id)).returning(),
    )
    expect(updated).toHaveLength(1)
  })

  it('hides the profile from other users, who cannot change it', async () => {
    expect(
      await as(other, (tx) => tx.select().from(profiles).where(eq(profiles.id, owner.id))),
    ).toEqual([])
    const updated = await as(other, (tx) =>
      tx
        .update(profiles)
        .set({ displayName: 'hijacked' })
        .where(eq(profiles.id, owner.id))
        .returning(),
    )
    expect(updated).toEqual([])
    const [row] = await db.asService((tx) =>
      tx.select().from(profiles).where(eq(profiles.id, owner.id)),
    )
    expect(row?.displayName).not.toBe('hijacked')
  })

  it('does not let a user change their own email or id, or create profiles', async () => {
    await expectDenied(
      as(owner, (tx) =>
        tx.update(profiles).set({ email: 'new@example.test' }).where(eq(profiles.id, owner.id)),
      ),
    )
    await expectDenied(as(other, (tx) => tx.insert(profiles).values({ id: other.id })))
    await expectDenied(as(other, (tx) => tx.delete(profiles).where(eq(profiles.id, other.id))))
  })

  it('shows anon nothing', async () => {
    await expectDenied(asAnon((tx) => tx.select().from(profiles)))
  })
})

describe('conversations', () => {
  it('lets the owner create, read, update and delete', async () => {
    const row = await ownedConversation(owner)
    expect(row.userId).toBe(owner.id)
    const read = await as(owner, (tx) =>
      tx.select().from(conversations).where(eq(conversations.id, row.id)),
    )
    expect(read).toHaveLength(1)
    const updated = await as(owner, (tx) =>
      tx
        .update(conversations)
        .set({ title: 'renamed' })
        .where(eq(conversations.id, row.id))
        .returning(),
    )
    expect(updated[0]?.title).toBe('renamed')
    const deleted = await as(owner, (tx) =>
      tx.delete(conversations).where(eq(conversations.id, row.id)).returning(),
    )
    expect(deleted).toHaveLength(1)
  })

  it('hides them from other users, who can neither update nor delete them', async () => {
    const row = await ownedConversation(owner)
    expect(await as(other, (tx) => tx.select().from(conversations))).toEqual([])
    const updated = await as(other, (tx) =>
      tx
        .update(conversations)
        .set({ title: 'hijacked' })
        .where(eq(conversations.id, row.id))
        .returning(),
    )
    expect(updated).toEqual([])
    const deleted = await as(other, (tx) =>
      tx.delete(conversations).where(eq(conversations.id, row.id)).returning(),
    )
    expect(deleted).toEqual([])
    const [still] = await db.asService((tx) =>
      tx.select().from(conversations).where(eq(conversations.id, row.id)),
    )
    expect(still?.title).toBe('mine')
  })

  it('rejects an insert with a spoofed owner', async () => {
    await expectDenied(
      as(other, (tx) => tx.insert(conversations).values({ userId: owner.id, title: 'spoof' })),
    )
  })

  it('does not let an owner hand a conversation to someone else', async () => {
    const row = await ownedConversation(owner)
    await expectDenied(
      as(owner, (tx) =>
        tx.update(conversations).set({ userId: other.id }).where(eq(conversations.id, row.id)),
      ),
    )
  })

  it('shows anon nothing', async () => {
    await expectDenied(asAnon((tx) => tx.select().from(conversations)))
  })
})

describe('messages', () => {
  it('lets the owner add, read and update messages', async () => {
    const conversation = await ownedConversation(owner)
    const message = await ownedMessage(owner, conversation.id)
    expect(message.userId).toBe(owner.id)
    const updated = await as(owner, (tx) =>
      tx.update(messages).set({ content: 'edited' }).where(eq(messages.id, message.id)).returning(),
    )
    expect(updated[0]?.content).toBe('edited')
  })

  it('hides them from other users, who can neither update nor delete them', async () => {
    const conversation = await ownedConversation(owner)
    const message = await ownedMessage(owner, conversation.id)
    expect(
      await as(other, (tx) => tx.select().from(messages).where(eq(messages.id, message.id))),
    ).toEqual([])
    const updated = await as(other, (tx) =>
      tx
        .update(messages)
        .set({ content: 'hijacked' })
        .where(eq(messages.id, message.id))
        .returning(),
    )
    expect(updated).toEqual([])
    await expectDenied(as(other, (tx) => tx.delete(messages).where(eq(messages.id, message.id))))
  })

  it('rejects a message with a spoofed owner', async () => {
    const conversation = await ownedConversation(owner)
    await expectDenied(
      as(other, (tx) =>
        tx.insert(messages).values({
          conversationId: conversation.id,
          userId: owner.id,
          role: 'user',
          content: 'x',
        }),
      ),
    )
  })

  it("rejects a message of one's own into another user's conversation", async () => {
    const conversation = await ownedConversation(owner)
    const error = await as(other, (tx) =>
      tx.insert(messages).values({ conversationId: conversation.id, role: 'user', content: 'x' }),
    ).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'not_found', sqlState: '23503' })
  })

  it('shows anon nothing', async () => {
    await expectDenied(asAnon((tx) => tx.select().from(messages)))
  })
})

describe('message_embeddings', () => {
  /** A vector as the table stores it: only where pgvector is installed. */
  const insertEmbedding = (user: TestUser, messageId: string, userId = user.id) =>
    as(user, (tx) =>
      tx.execute(
        sql`insert into public.message_embeddings (message_id, user_id, model, embedding)
            values (${messageId}::uuid, ${userId}::uuid, 'm', '[1,0]')`,
      ),
    )
  const vectors = () =>
    db.asService(async (tx) => {
      const [row] = executedRows<{ ok: boolean }>(
        await tx.execute(sql`select to_regtype('extensions.vector') is not null as ok`),
      )
      return row?.ok === true
    })

  it('lets the owner embed and read their own messages, hidden from everyone else', async (ctx) => {
    if (!(await vectors())) ctx.skip()
    const message = await ownedMessage(owner, (await ownedConversation(owner)).id)
    await insertEmbedding(owner, message.id)
    const mine = await as(owner, (tx) =>
      tx
        .select({ model: messageEmbeddings.model })
        .from(messageEmbeddings)
        .where(eq(messageEmbeddings.messageId, message.id)),
    )
    expect(mine).toEqual([{ model: 'm' }])
    expect(
      await as(other, (tx) =>
        tx
          .select({ id: messageEmbeddings.messageId })
          .from(messageEmbeddings)
          .where(eq(messageEmbeddings.messageId, message.id)),
      ),
    ).toEqual([])
    const deleted = await as(other, (tx) =>
      tx.delete(messageEmbeddings).where(eq(messageEmbeddings.messageId, message.id)).returning(),
    )
    expect(deleted).toEqual([])
    await expectDenied(asAnon((tx) => tx.select().from(messageEmbeddings)))
  })

  it('rejects a spoofed owner and a vector on another user’s message', async (ctx) => {
    if (!(await vectors())) ctx.skip()
    const message = await ownedMessage(owner, (await ownedConversation(owner)).id)
    await expectDenied(insertEmbedding(other, message.id, owner.id))
    await expectDenied(insertEmbedding(other, message.id))
  })
})

describe('model_configs', () => {
  const entry = (id: string) => ({
    id,
    provider: 'openai',
    upstreamModel: id,
    displayName: id,
    contextWindow: 1000,
    maxOutputTokens: 100,
    inputUsdPerMtok: 1,
    outputUsdPerMtok: 2,
    cachedInputUsdPerMtok: 0.5,
    pricesEffectiveOn: '2026-01-01',
  })

  it('lets admins write the catalog', async () => {
    const inserted = await as(admin, (tx) =>
      tx.insert(modelConfigs).values(entry('admin-model')).returning(),
    )
    expect(inserted).toHaveLength(1)
    const updated = await as(admin, (tx) =>
      tx
        .update(modelConfigs)
        .set({ enabled: false })
        .where(eq(modelConfigs.id, 'admin-model'))
        .returning(),
    )
    expect(updated).toHaveLength(1)
  })

  it('lets every signed-in user read it', async () => {
    const rows = await as(other, (tx) =>
      tx.select().from(modelConfigs).where(eq(modelConfigs.id, 'admin-model')),
    )
    expect(rows).toHaveLength(1)
  })

  it('rejects writes by non-admins', async () => {
    await expectDenied(as(other, (tx) => tx.insert(modelConfigs).values(entry('sneaky'))))
    const updated = await as(other, (tx) =>
      tx
        .update(modelConfigs)
        .set({ inputUsdPerMtok: 0 })
        .where(eq(modelConfigs.id, 'admin-model'))
        .returning(),
    )
    expect(updated).toEqual([])
    const deleted = await as(other, (tx) =>
      tx.delete(modelConfigs).where(eq(modelConfigs.id, 'admin-model')).returning(),
    )
    expect(deleted).toEqual([])
  })

  it('does not treat user_metadata.role as admin', async () => {
    const claims = {
      ...other.claims,
      user_metadata: { role: 'admin' },
      app_metadata: { provider: 'email' },
    }
    await expectDenied(
      db.withUser(claims, (tx) => tx.insert(modelConfigs).values(entry('via-user-metadata'))),
    )
  })

  it('shows anon nothing', async () => {
    await expectDenied(asAnon((tx) => tx.select().from(modelConfigs)))
  })
})

describe('usage_events', () => {
  const event = (conversationId: string | null = null) => ({
    conversationId,
    provider: 'openai',
    model: 'gpt-test',
    status: 'ok' as const,
    inputTokens: 10,
    outputTokens: 5,
    costMicroUsd: 42,
  })

  it('lets users record and read their own calls, and admins read everyone’s', async () => {
    const conversation = await ownedConversation(owner)
    const [row] = await as(owner, (tx) =>
      tx.insert(usageEvents).values(event(conversation.id)).returning(),
    )
    expect(row?.userId).toBe(owner.id)
    const own = await as(owner, (tx) =>
      tx
        .select()
        .from(usageEvents)
        .where(eq(usageEvents.id, row?.id ?? '')),
    )
    expect(own).toHaveLength(1)
    const seenByAdmin = await as(admin, (tx) =>
      tx
        .select()
        .from(usageEvents)
        .where(eq(usageEvents.id, row?.id ?? '')),
    )
    expect(seenByAdmin).toHaveLength(1)
    expect(await as(other, (tx) => tx.select().from(usageEvents))).toEqual([])
  })

  it('is append-only for users', async () => {
    const [row] = await as(owner, (tx) => tx.insert(usageEvents).values(event()).returning())
    await expectDenied(
      as(owner, (tx) =>
        tx
          .update(usageEvents)
          .set({ costMicroUsd: 0 })
          .where(eq(usageEvents.id, row?.id ?? '')),
      ),
    )
    await expectDenied(
      as(owner, (tx) => tx.delete(usageEvents).where(eq(usageEvents.id, row?.id ?? ''))),
    )
  })

  it('rejects a spoofed owner and a reference to another user’s conversation', async () => {
    await expectDenied(
      as(other, (tx) => tx.insert(usageEvents).values({ ...event(), userId: owner.id })),
    )
    const conversation = await ownedConversation(owner)
    await expectDenied(as(other, (tx) => tx.insert(usageEvents).values(event(conversation.id))))
  })

  it('shows anon nothing', async () => {
    await expectDenied(asAnon((tx) => tx.select().from(usageEvents)))
  })
})

describe('usage rollups (usage_daily, usage_daily_conversations)', () => {
  const rollups = [usageDaily, usageDailyConversations] as const

  it('show users their own rows and admins everyone’s, kept by the ledger’s trigger', async () => {
    const conversation = await ownedConversation(owner)
    await as(owner, (tx) =>
      tx.insert(usageEvents).values({
        conversationId: conversation.id,
        provider: 'openai',
        model: 'gpt-rollup',
        status: 'ok',
        costMicroUsd: 7,
      }),
    )
    for (const table of rollups) {
      const own = await as(owner, (tx) => tx.select().from(table))
      expect(own.length).toBeGreaterThan(0)
      expect(own.every((row) => row.userId === owner.id)).toBe(true)
      expect(await as(other, (tx) => tx.select().from(table))).toEqual([])
      const seenByAdmin = await as(admin, (tx) =>
        tx.select().from(table).where(eq(table.userId, owner.id)),
      )
      expect(seenByAdmin).toHaveLength(own.length)
    }
  })

  it('cannot be written by users, not even their own rows', async () => {
    const conversation = await ownedConversation(owner)
    await expectDenied(
      as(owner, (tx) =>
        tx
          .insert(usageDaily)
          .values({ userId: owner.id, day: '2026-11-01', model: 'm', provider: 'openai' }),
      ),
    )
    await expectDenied(
      as(owner, (tx) =>
        tx
          .insert(usageDailyConversations)
          .values({ conversationId: conversation.id, userId: owner.id, day: '2026-11-01' }),
      ),
    )
    for (const table of rollups) {
      await expectDenied(
        as(owner, (tx) =>
          tx.update(table).set({ costMicroUsd: 0 }).where(eq(table.userId, owner.id)),
        ),
      )
      await expectDenied(as(owner, (tx) => tx.delete(table).where(eq(table.userId, owner.id))))
      await expectDenied(
        as(admin, (tx) =>
          tx.update(table).set({ costMicroUsd: 0 }).where(eq(table.userId, owner.id)),
        ),
      )
    }
  })

  it('shows anon nothing, and nobody may call the trigger’s functions', async () => {
    for (const table of rollups) await expectDenied(asAnon((tx) => tx.select().from(table)))
    await expectDenied(as(owner, (tx) => tx.execute(sql`select public.usage_ttft_bucket(5)`)))
  })
})

describe('invitations', () => {
  const invitation = () => ({
    email: `invitee-${crypto.randomUUID().slice(0, 8)}@example.test`,
    tokenHash: crypto.randomUUID().replaceAll('-', '').repeat(2),
    expiresAt: new Date(Date.now() + 60_000),
  })

  it('lets admins create, read and delete them', async () => {
    const row = await as(admin, (tx) => createInvitation(tx, invitation()))
    expect(row.createdBy).toBe(admin.id)
    const read = await as(admin, (tx) =>
      tx.select().from(invitations).where(eq(invitations.id, row.id)),
    )
    expect(read).toHaveLength(1)
    const deleted = await as(admin, (tx) =>
      tx.delete(invitations).where(eq(invitations.id, row.id)).returning(),
    )
    expect(deleted).toHaveLength(1)
  })

  it('hides them from users and anon, who cannot create, spoof or change them', async () => {
    const row = await as(admin, (tx) => createInvitation(tx, invitation()))
    expect(await as(owner, (tx) => tx.select().from(invitations))).toEqual([])
    await expectDenied(as(owner, (tx) => createInvitation(tx, invitation())))
    await expectDenied(
      as(admin, (tx) => tx.insert(invitations).values({ ...invitation(), createdBy: owner.id })),
    )
    await expectDenied(
      as(admin, (tx) =>
        tx.update(invitations).set({ usedBy: owner.id }).where(eq(invitations.id, row.id)),
      ),
    )
    expect(
      await as(owner, (tx) => tx.delete(invitations).where(eq(invitations.id, row.id)).returning()),
    ).toEqual([])
    await expectDenied(asAnon((tx) => tx.select().from(invitations)))
  })

  it('is consumed once, by the address it was made for, before it expires', async () => {
    const fresh = invitation()
    await as(admin, (tx) => createInvitation(tx, fresh))
    const spend = (email: string) =>
      db.asService((tx) =>
        consumeInvitation(tx, { tokenHash: fresh.tokenHash, email, userId: other.id }),
      )
    expect(await spend('someone-else@example.test')).toBe(false)
    expect(await spend(` ${fresh.email.toUpperCase()}`)).toBe(true)
    expect(await spend(fresh.email)).toBe(false)
    const expired = { ...invitation(), expiresAt: new Date(Date.now() - 1_000) }
    await as(admin, (tx) => createInvitation(tx, expired))
    expect(
      await db.asService((tx) => consumeInvitation(tx, { ...expired, userId: other.id })),
    ).toBe(false)
  })
})

describe('reply_leases (server bookkeeping)', () => {
  it('is out of reach of users, even for their own replies', async () => {
    const c = await ownedConversation(owner)
    const m = await ownedMessage(owner, c.id)
    await expectDenied(as(owner, (tx) => tx.select().from(replyLeases)))
    await expectDenied(
      as(owner, (tx) =>
        tx.insert(replyLeases).values({ messageId: m.id, instanceId: crypto.randomUUID() }),
      ),
    )
    await expectDenied(as(owner, (tx) => tx.delete(replyLeases)))
  })

  it('shows anon nothing', async () => {
    await expectDenied(asAnon((tx) => tx.select().from(replyLeases)))
  })

  it('is the service role’s', async () => {
    const c = await ownedConversation(owner)
    const m = await ownedMessage(owner, c.id)
    const instanceId = crypto.randomUUID()
    await db.asService((tx) => tx.insert(replyLeases).values({ messageId: m.id, instanceId }))
    const rows = await db.asService((tx) =>
      tx.select().from(replyLeases).where(eq(replyLeases.messageId, m.id)),
    )
    expect(rows).toMatchObject([{ messageId: m.id, instanceId }])
  })
})

describe('rate limit state and originals to remove (parley_private)', () => {
  it('is out of reach of every API role: no table reads, no function calls', async () => {
    for (const run of [
      <T>(fn: (tx: Tx) => Promise<T>) => as(owner, fn),
      asAnon,
      <T>(fn: (tx: Tx) => Promise<T>) => db.asService(fn),
    ]) {
      await expectDenied(run((tx) => tx.select().from(rateCounters)))
      await expectDenied(run((tx) => tx.select().from(liveStreams)))
      await expectDenied(run((tx) => tx.select().from(originalDeletions)))
      await expectDenied(
        run((tx) =>
          tx
            .insert(originalDeletions)
            .values({ storageKey: 'x', ownerId: '00000000-0000-4000-8000-000000000000' }),
        ),
      )
      await expectDenied(
        run((tx) =>
          tx.execute(sql`select * from parley_private.rate_hits('[["x", 60, 1]]'::jsonb, now())`),
        ),
      )
      await expectDenied(
        run((tx) =>
          tx.execute(
            sql`select parley_private.stream_take(gen_random_uuid(), gen_random_uuid(), 9, now(), 60)`,
          ),
        ),
      )
    }
  })
})

describe('quota counters', () => {
  it('cannot be moved by users, only by the writes they count', async () => {
    await expectDenied(
      as(owner, (tx) =>
        tx
          .update(profiles)
          .set({ storedBytes: 0, conversationCount: 0 })
          .where(eq(profiles.id, owner.id)),
      ),
    )
    const c = await as(owner, async (tx) => {
      const [row] = await tx.insert(conversations).values({ messageCount: -1000 }).returning()
      return row
    })
    expect(c?.messageCount).toBe(0)
    await expectDenied(
      as(owner, (tx) =>
        tx
          .update(conversations)
          .set({ messageCount: -1000 })
          .where(eq(conversations.id, c?.id ?? '')),
      ),
    )
    for (const call of [
      sql`select public.charge_profile(${owner.id}::uuid, -1000, -1000000, false)`,
      sql`select public.quota_limit('conversations')`,
      sql`select public.raise_quota_exceeded('conversations', 1, 1)`,
    ]) {
      await expectDenied(as(owner, (tx) => tx.execute(call)))
    }
  })
})

describe('message_feedback', () => {
  async function ownedReply(user: TestUser) {
    const conversation = await ownedConversation(user)
    const question = await ownedMessage(user, conversation.id)
    return as(user, async (tx) => {
      const [row] = await tx
        .insert(messages)
        .values({ conversationId: conversation.id, parentId: question.id, role: 'assistant' })
        .returning()
      if (!row) throw new Error('no row')
      return row
    })
  }

  it('lets the owner vote, change and clear their vote, and admins read it', async () => {
    const reply = await ownedReply(owner)
    const mine = eq(messageFeedback.messageId, reply.id)
    const [row] = await as(owner, (tx) =>
      tx.insert(messageFeedback).values({ messageId: reply.id, vote: 'up' }).returning(),
    )
    expect(row?.userId).toBe(owner.id)
    const changed = await as(owner, (tx) =>
      tx.update(messageFeedback).set({ vote: 'down' }).where(mine).returning(),
    )
    expect(changed[0]?.vote).toBe('down')
    expect(await as(admin, (tx) => tx.select().from(messageFeedback).where(mine))).toHaveLength(1)
    expect(await as(other, (tx) => tx.select().from(messageFeedback).where(mine))).toEqual([])
    const deleted = await as(owner, (tx) => tx.delete(messageFeedback).where(mine).returning())
    expect(deleted).toHaveLength(1)
  })

  it('hides votes from other users, who can neither change nor delete them', async () => {
    const reply = await ownedReply(owner)
    const mine = eq(messageFeedback.messageId, reply.id)
    await as(owner, (tx) => tx.insert(messageFeedback).values({ messageId: reply.id, vote: 'up' }))
    expect(await as(other, (tx) => tx.select().from(messageFeedback))).toEqual([])
    expect(
      await as(other, (tx) =>
        tx.update(messageFeedback).set({ vote: 'down' }).where(mine).returning(),
      ),
    ).toEqual([])
    expect(await as(other, (tx) => tx.delete(messageFeedback).where(mine).returning())).toEqual([])
    expect(await as(admin, (tx) => tx.delete(messageFeedback).where(mine).returning())).toEqual([])
    const [still] = await db.asService((tx) => tx.select().from(messageFeedback).where(mine))
    expect(still?.vote).toBe('up')
  })

  it('rejects a spoofed owner, a vote on someone else’s reply and one on a user message', async () => {
    const reply = await ownedReply(owner)
    await expectDenied(
      as(other, (tx) =>
        tx.insert(messageFeedback).values({ messageId: reply.id, userId: owner.id, vote: 'up' }),
      ),
    )
    await expectDenied(
      as(other, (tx) => tx.insert(messageFeedback).values({ messageId: reply.id, vote: 'up' })),
    )
    const conversation = await ownedConversation(owner)
    const question = await ownedMessage(owner, conversation.id)
    await expectDenied(
      as(owner, (tx) => tx.insert(messageFeedback).values({ messageId: question.id, vote: 'up' })),
    )
  })

  it('shows anon nothing', async () => {
    await expectDenied(asAnon((tx) => tx.select().from(messageFeedback)))
  })
})

describe('withUser', () => {
  it('rejects roles outside the allow-list before any SQL runs', async () => {
    const claims = { sub: owner.id, role: 'service_role' } as unknown as typeof owner.claims
    await expect(db.withUser(claims, (tx) => tx.select().from(profiles))).rejects.toMatchObject({
      code: 'invalid_input',
    })
  })

  it('scopes the role and claims to the transaction', async () => {
    await as(owner, (tx) => tx.select().from(profiles))
    // A later service transaction on the same connection is not left as the user.
    const rows = await db.asService((tx) => tx.select().from(profiles))
    expect(rows.length).toBeGreaterThanOrEqual(3)
  })
})

describe('budgets', () => {
  const defaults = { limitMicroUsd: 10_000_000, period: 'monthly' } as const
  const reserve = (user: TestUser, amountMicroUsd = 1_000) =>
    as(user, (tx) =>
      reserveBudget(tx, { messageId: crypto.randomUUID(), amountMicroUsd, defaults }),
    )

  it('shows users their own budget and reservations only', async () => {
    const mine = await reserve(owner)
    if (mine.status !== 'reserved') throw new Error('a reservation within the limit is made')
    expect(await as(owner, (tx) => tx.select().from(budgets))).toEqual([
      expect.objectContaining({ userId: owner.id }),
    ])
    const seen = await as(owner, (tx) => tx.select().from(budgetReservations))
    expect(seen.every((row) => row.userId === owner.id)).toBe(true)
    expect(
      await as(other, (tx) =>
        tx.select().from(budgetReservations).where(eq(budgetReservations.userId, owner.id)),
      ),
    ).toEqual([])
    expect(
      await as(other, (tx) => tx.select().from(budgets).where(eq(budgets.userId, owner.id))),
    ).toEqual([])
    const theirs = await as(other, (tx) => getBudgetState(tx, owner.id, defaults))
    expect(theirs.reservedMicroUsd).toBe(0)
    // Settling someone else's reservation releases nothing.
    await as(other, (tx) => settleBudget(tx, mine.reservationId))
    const still = await as(owner, (tx) =>
      tx.select().from(budgetReservations).where(eq(budgetReservations.id, mine.reservationId)),
    )
    expect(still).toHaveLength(1)
    await expectDenied(asAnon((tx) => tx.select().from(budgets)))
  })

  it('lets no user change a limit, a reservation or the sweep by plain SQL', async () => {
    const mine = await reserve(owner)
    if (mine.status !== 'reserved') throw new Error('a reservation within the limit is made')
    const raised = await as(owner, (tx) =>
      tx
        .update(budgets)
        .set({ limitMicroUsd: null, overridden: true })
        .where(eq(budgets.userId, owner.id))
        .returning(),
    )
    expect(raised).toEqual([])
    await expectDenied(
      as(owner, (tx) => setBudgetOverride(tx, owner.id, { limitMicroUsd: null, period: 'daily' })),
    )
    await expectDenied(
      as(other, (tx) => setBudgetOverride(tx, other.id, { limitMicroUsd: null, period: 'daily' })),
    )
    await expectDenied(
      as(owner, (tx) =>
        tx.delete(budgetReservations).where(eq(budgetReservations.id, mine.reservationId)),
      ),
    )
    await expectDenied(
      as(owner, (tx) =>
        tx
          .update(budgetReservations)
          .set({ amountMicroUsd: 0 })
          .where(eq(budgetReservations.id, mine.reservationId)),
      ),
    )
    await expectDenied(
      as(owner, (tx) =>
        tx.insert(budgetReservations).values({ userId: owner.id, amountMicroUsd: 0 }),
      ),
    )
    await expectDenied(as(owner, (tx) => sweepBudgetReservations(tx, 0)))
    const state = await as(owner, (tx) => getBudgetState(tx, owner.id, defaults))
    expect(state).toMatchObject({ limitMicroUsd: 10_000_000, overridden: false })
  })

  it('releases a reservation only once its reply has ended', async () => {
    const c = await ownedConversation(owner)
    const [reply] = await db.asService((tx) =>
      tx
        .insert(messages)
        .values({
          conversationId: c.id,
          userId: owner.id,
          role: 'assistant',
          content: '',
          status: 'streaming',
        })
        .returning(),
    )
    if (!reply) throw new Error('no row')
    const mine = await as(owner, (tx) =>
      reserveBudget(tx, { messageId: reply.id, amountMicroUsd: 1_000, defaults }),
    )
    if (mine.status !== 'reserved') throw new Error('a reservation within the limit is made')
    const held = () =>
      as(owner, (tx) =>
        tx.select().from(budgetReservations).where(eq(budgetReservations.id, mine.reservationId)),
      )
    await as(owner, (tx) => settleBudget(tx, mine.reservationId))
    expect(await held()).toHaveLength(1)
    await db.asService((tx) =>
      tx.update(messages).set({ status: 'complete' }).where(eq(messages.id, reply.id)),
    )
    await as(owner, (tx) => settleBudget(tx, mine.reservationId))
    expect(await held()).toEqual([])
  })

  it("lets admins set and read any user's limit", async () => {
    const row = await as(admin, (tx) =>
      setBudgetOverride(tx, other.id, { limitMicroUsd: 3_000_000, period: 'weekly' }),
    )
    expect(row).toMatchObject({ userId: other.id, limitMicroUsd: 3_000_000, overridden: true })
    const state = await as(other, (tx) => getBudgetState(tx, other.id, defaults))
    expect(state).toMatchObject({ limitMicroUsd: 3_000_000, period: 'weekly' })
  })
})
