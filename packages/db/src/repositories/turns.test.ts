import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Tx } from '../client.ts'
import { createTestDatabase, createTestUser, inspect, type TestUser } from '../testing/index.ts'
import { updateAdminUser } from './admin-users.ts'
import { setBudgetOverride } from './budgets.ts'
import { createConversation, deleteConversation, listConversations } from './conversations.ts'
import { type BeginTurnInput, beginTurn, type SettleTurnInput, settleTurn } from './turns.ts'

let db: Database
beforeAll(async () => {
  db = await createTestDatabase()
})
afterAll(() => db?.close())

const as = <T>(user: TestUser, fn: (tx: Tx) => Promise<T>) => db.withUser(user.claims, fn)
const choice = { offered: ['m-1', 'm-2', 'auto'], defaultModel: 'm-1', historyTokens: 100_000 }
const send = (conversationId: string, content: string, extra: Partial<BeginTurnInput> = {}) =>
  ({ kind: 'send', conversationId, content, tokenCount: 3, ...choice, ...extra }) as BeginTurnInput

function outcome(messageId: string, text: string, cost = 10): SettleTurnInput {
  return {
    messageId,
    reply: {
      content: text,
      status: 'complete',
      model: 'm-1',
      provider: 'openai',
      inputTokens: 40,
      outputTokens: 9,
      cachedInputTokens: 0,
      tokenCount: 9,
      costMicroUsd: cost,
      ttftMs: 5,
      latencyMs: 50,
      error: null,
      metadata: {},
    },
    usage: {
      provider: 'openai',
      model: 'm-1',
      status: 'ok',
      inputTokens: 40,
      outputTokens: 9,
      costMicroUsd: cost,
    },
  }
}

/** Sends and settles one exchange; returns the new messages. */
async function exchange(user: TestUser, conversationId: string, content: string) {
  const begun = await as(user, (tx) => beginTurn(tx, send(conversationId, content)))
  if (begun.status !== 'new') throw new Error(`turn not opened: ${begun.status}`)
  await as(user, (tx) => settleTurn(tx, outcome(begun.assistantMessage.id, `re: ${content}`)))
  return begun
}

describe('beginning a turn', () => {
  it('stores the user message and a streaming reply, with the thread so far and the profile', async () => {
    const user = await createTestUser(db, { displayName: 'Lin' })
    const c = await as(user, (tx) => createConversation(tx))
    const first = await exchange(user, c.id, 'first question')
    const second = await as(user, (tx) => beginTurn(tx, send(c.id, 'second question')))
    expect(second).toMatchObject({
      status: 'new',
      conversation: { id: c.id },
      profile: { displayName: 'Lin', email: user.email },
      userMessage: {
        content: 'second question',
        role: 'user',
        parentId: first.assistantMessage.id,
      },
      assistantMessage: { status: 'streaming', content: '', model: 'm-1' },
    })
    if (second.status !== 'new') throw new Error('opened')
    expect(second.userMessage.createdAt).toBeInstanceOf(Date)
    expect(second.history.map((m) => m.content)).toEqual(['first question', 're: first question'])
  })

  it('moves the conversation to the top of the list', async () => {
    const user = await createTestUser(db)
    const older = await as(user, (tx) => createConversation(tx))
    await as(user, (tx) => createConversation(tx))
    await as(user, (tx) => beginTurn(tx, send(older.id, 'bump')))
    expect((await as(user, (tx) => listConversations(tx))).items[0]?.id).toBe(older.id)
  })

  it('replays a resent id instead of storing it twice, and refuses the id with other content', async () => {
    const user = await createTestUser(db)
    const c = await as(user, (tx) => createConversation(tx))
    const id = randomUUID()
    const first = await as(user, (tx) => beginTurn(tx, send(c.id, 'once', { id })))
    const again = await as(user, (tx) => beginTurn(tx, send(c.id, 'once', { id })))
    expect(again.status).toBe('replay')
    if (first.status !== 'new' || again.status !== 'replay') throw new Error('replayed')
    expect(again.assistantMessage.id).toBe(first.assistantMessage.id)
    expect(await as(user, (tx) => beginTurn(tx, send(c.id, 'twice', { id })))).toEqual({
      status: 'id_resent_differently',
    })
    expect(await inspect.messages(db, c.id)).toHaveLength(2)
  })

  it('refuses an id that belongs to another user without revealing it, and hides their conversation', async () => {
    const owner = await createTestUser(db)
    const stranger = await createTestUser(db)
    const theirs = await as(owner, (tx) => createConversation(tx))
    const begun = await exchange(owner, theirs.id, 'private')
    const mine = await as(stranger, (tx) => createConversation(tx))
    expect(
      await as(stranger, (tx) => beginTurn(tx, send(mine.id, 'x', { id: begun.userMessage.id }))),
    ).toEqual({ status: 'id_taken' })
    expect(await as(stranger, (tx) => beginTurn(tx, send(theirs.id, 'let me in')))).toEqual({
      status: 'conversation_not_found',
    })
    expect(await inspect.messages(db, theirs.id)).toHaveLength(2)
  })

  it('regenerates a reply as a sibling, and replays the same reply id', async () => {
    const user = await createTestUser(db)
    const c = await as(user, (tx) => createConversation(tx))
    const first = await exchange(user, c.id, 'answer twice')
    const replyId = randomUUID()
    const regenerate = {
      kind: 'regenerate',
      conversationId: c.id,
      messageId: first.assistantMessage.id,
      replyId,
      ...choice,
    } as const
    const again = await as(user, (tx) => beginTurn(tx, regenerate))
    expect(again).toMatchObject({
      status: 'new',
      userMessage: { id: first.userMessage.id },
      assistantMessage: { id: replyId, parentId: first.userMessage.id, status: 'streaming' },
      history: [],
    })
    expect((await as(user, (tx) => beginTurn(tx, regenerate))).status).toBe('replay')
    expect(
      await as(user, (tx) =>
        beginTurn(tx, { ...regenerate, messageId: first.userMessage.id, replyId: undefined }),
      ),
    ).toEqual({ status: 'message_not_found' })
  })

  it('uses the conversation’s model while it is offered, else the default', async () => {
    const user = await createTestUser(db)
    const kept = await as(user, (tx) => createConversation(tx, { model: 'm-2' }))
    const gone = await as(user, (tx) => createConversation(tx, { model: 'retired' }))
    const keptTurn = await as(user, (tx) => beginTurn(tx, send(kept.id, 'a')))
    const goneTurn = await as(user, (tx) => beginTurn(tx, send(gone.id, 'b')))
    const asked = await as(user, (tx) => beginTurn(tx, send(gone.id, 'c', { model: 'auto' })))
    expect(keptTurn).toMatchObject({ assistantMessage: { model: 'm-2' } })
    expect(goneTurn).toMatchObject({ assistantMessage: { model: 'm-1' } })
    expect(asked).toMatchObject({ assistantMessage: { model: 'auto' } })
  })

  it('gives two turns sent at once a thread each: neither hides the other', async () => {
    const user = await createTestUser(db)
    const c = await as(user, (tx) => createConversation(tx))
    await Promise.all([
      as(user, (tx) => beginTurn(tx, send(c.id, 'left'))),
      as(user, (tx) => beginTurn(tx, send(c.id, 'right'))),
    ])
    const rows = await inspect.messages(db, c.id)
    const users = rows.filter((m) => m.role === 'user')
    expect(new Set(users.map((m) => m.parentId)).size).toBe(2)
  })

  it('walks the history by index, so a long conversation does not open its turns in quadratic time', async () => {
    // Unanalysed tables (every embedded database) make the planner price each step of the walk
    // as a scan of the caller's messages; the function runs with those scans priced out.
    const [row] = await db.asOwner((owner) =>
      owner.query<{ config: string[] | null }>(
        `select proconfig as config from pg_proc where oid = 'public.begin_turn(jsonb)'::regprocedure`,
      ),
    )
    expect(row?.config).toContain('enable_seqscan=off')
    const user = await createTestUser(db)
    const c = await as(user, (tx) => createConversation(tx))
    for (let i = 0; i < 12; i++) await exchange(user, c.id, `question ${i}`)
    const begun = await as(user, (tx) => beginTurn(tx, send(c.id, 'the last question')))
    if (begun.status !== 'new') throw new Error(begun.status)
    expect(begun.history.map((m) => m.content)).toEqual(
      Array.from({ length: 12 }, (_, i) => [`question ${i}`, `re: question ${i}`]).flat(),
    )
  })

  it('reports the caller’s budget row: none before an admin writes one, then the override', async () => {
    const user = await createTestUser(db)
    const admin = await createTestUser(db, { admin: true })
    const c = await as(user, (tx) => createConversation(tx))
    const first = await as(user, (tx) => beginTurn(tx, send(c.id, 'any limit?')))
    expect(first.status === 'new' && first.budget).toBeNull()
    await as(admin, (tx) =>
      setBudgetOverride(tx, user.id, { limitMicroUsd: null, period: 'daily' }),
    )
    const exempt = await as(user, (tx) => beginTurn(tx, send(c.id, 'exempt now?')))
    expect(exempt.status === 'new' && exempt.budget).toEqual({
      overridden: true,
      limitMicroUsd: null,
    })
    await as(admin, (tx) =>
      setBudgetOverride(tx, user.id, { limitMicroUsd: 2 ** 40, period: 'weekly' }),
    )
    const limited = await as(user, (tx) => beginTurn(tx, send(c.id, 'and now?')))
    expect(limited.status === 'new' && limited.budget).toEqual({
      overridden: true,
      limitMicroUsd: 2 ** 40,
    })
  })

  it('begin_turn and settle_turn run only with the caller’s claims: never as a role without them, even one above RLS', async () => {
    const user = await createTestUser(db)
    const c = await as(user, (tx) => createConversation(tx))
    await expect(db.asService((tx) => beginTurn(tx, send(c.id, 'no claims')))).rejects.toThrow(
      /without the caller's claims/,
    )
    expect(await inspect.messages(db, c.id)).toEqual([])
    const begun = await as(user, (tx) => beginTurn(tx, send(c.id, 'with claims')))
    if (begun.status !== 'new') throw new Error('opened')
    await expect(
      db.asService((tx) => settleTurn(tx, outcome(begun.assistantMessage.id, 'no claims'))),
    ).rejects.toThrow(/without the caller's claims/)
    expect((await inspect.messages(db, c.id)).map((m) => m.status)).toEqual([
      'complete',
      'streaming',
    ])
  })

  it('goes out behind the claims (pipelined) and still answers as the caller, refusing a disabled account', async () => {
    const user = await createTestUser(db)
    const admin = await createTestUser(db, { admin: true })
    const c = await as(user, (tx) => createConversation(tx))
    const pipelined = (content: string) =>
      db.withUser(user.claims, (tx) => beginTurn(tx, send(c.id, content)), { pipelined: true })
    expect(await pipelined('piped')).toMatchObject({
      status: 'new',
      userMessage: { content: 'piped' },
    })
    await db.withUser(admin.claims, (tx) => updateAdminUser(tx, user.id, { disabled: true }))
    await expect(pipelined('after the ban')).rejects.toMatchObject({
      name: 'DbError',
      code: 'unauthorized',
    })
    expect((await inspect.messages(db, c.id)).map((m) => m.content)).toEqual(['piped', ''])
  })

  it('validates its input before any SQL', async () => {
    const user = await createTestUser(db)
    await expect(as(user, (tx) => beginTurn(tx, send('not-a-uuid', 'x')))).rejects.toMatchObject({
      name: 'DbError',
      code: 'invalid_input',
    })
  })
})

describe('settling a turn', () => {
  it('records the reply, one usage event and the conversation totals together', async () => {
    const user = await createTestUser(db)
    const c = await as(user, (tx) => createConversation(tx))
    const begun = await as(user, (tx) => beginTurn(tx, send(c.id, 'how much?')))
    if (begun.status !== 'new') throw new Error('opened')
    const settled = await as(user, (tx) =>
      settleTurn(tx, outcome(begun.assistantMessage.id, 'this much', 350)),
    )
    expect(settled.assistantMessage).toMatchObject({
      content: 'this much',
      status: 'complete',
      costMicroUsd: 350,
    })
    expect(settled.conversation).toMatchObject({
      inputTokens: 40,
      outputTokens: 9,
      costMicroUsd: 350,
    })
    const again = await exchange(user, c.id, 'and now?')
    const usage = await inspect.usageOfMessage(db, again.assistantMessage.id)
    expect(usage).toMatchObject([{ status: 'ok', costMicroUsd: 10, conversationId: c.id }])
    expect((await as(user, (tx) => listConversations(tx))).items[0]).toMatchObject({
      inputTokens: 80,
      costMicroUsd: 360,
    })
  })

  it('still records the spend when the conversation was deleted while the reply streamed', async () => {
    const user = await createTestUser(db)
    const c = await as(user, (tx) => createConversation(tx))
    const begun = await as(user, (tx) => beginTurn(tx, send(c.id, 'doomed')))
    if (begun.status !== 'new') throw new Error('opened')
    await as(user, (tx) => deleteConversation(tx, c.id))
    const settled = await as(user, (tx) =>
      settleTurn(tx, outcome(begun.assistantMessage.id, 'late')),
    )
    expect(settled).toEqual({ assistantMessage: null, conversation: null })
    const spend = await inspect.usageOfUser(db, user.id)
    expect(spend).toMatchObject([{ messageId: null, conversationId: null, costMicroUsd: 10 }])
  })
})
