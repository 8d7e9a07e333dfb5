import { randomUUID } from 'node:crypto'
import { type Database, setBudgetOverride, updateConversation } from '@parley/db'
import { inspect } from '@parley/db/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  eventually,
  readEvents,
  startTestServer,
  streamedText,
  type TestServer,
} from '../testing/test-server.ts'

/**
 * Every prepare transaction (`begin_turn`, the one sent pipelined behind the claims) waits while
 * `hold()` is in force, so a test can see what reaches the provider before a turn is stored.
 */
function preparesHeld() {
  let gate: Promise<void> | null = null
  let open = () => {}
  return {
    wrap: (db: Database): Database => ({
      ...db,
      withUser: async (claims, fn, options) => {
        if (options?.pipelined && gate) await gate
        return db.withUser(claims, fn, options)
      },
    }),
    hold() {
      gate = new Promise((resolve) => {
        open = resolve
      })
    },
    release() {
      gate = null
      open()
    },
  }
}

const prepares = preparesHeld()
const metricsToken = 'early-calls-metrics'
let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ wrapDb: prepares.wrap, metricsToken, earlyCalls: true })
})
afterAll(() => server?.close())

type User = Awaited<ReturnType<TestServer['user']>>

const send = (user: User, conversationId: string, body: Record<string, unknown>) =>
  server.sendStreamed(user.token, conversationId, body)

/** A first exchange in a new conversation; returns the conversation and the reply's id. */
async function firstExchange(user: User) {
  const conversationId = await server.newConversation(user.token)
  const question = `first question ${randomUUID()}`
  server.fake.enqueue({ kind: 'text', text: 'The first answer.' }, { lastUserMessage: question })
  const events = await readEvents(await send(user, conversationId, { content: question }))
  const done = events.at(-1)?.data as { assistantMessage: { id: string } }
  return { conversationId, question, replyId: done.assistantMessage.id }
}

/** The chat requests the provider received for `content`, oldest first. */
const callsFor = (content: string) => server.fake.requestsFor({ lastUserMessage: content })

/** `parley_early_calls_total` by outcome, as a scraper reads it now. */
async function earlyCalls() {
  const response = await fetch(`${server.url}/metrics`, {
    headers: { authorization: `Bearer ${metricsToken}` },
  })
  const text = await response.text()
  const count = (outcome: string) =>
    Number(
      text.match(new RegExp(`parley_early_calls_total\\{outcome="${outcome}"\\} (\\d+)`))?.[1] ?? 0,
    )
  return { kept: count('kept'), stopped: count('stopped') }
}

type Body = { messages: { role: string; content: string }[] }
const messagesOf = (body: unknown) => (body as Body | undefined)?.messages ?? []
const systemOf = (body: unknown) => messagesOf(body).find((m) => m.role === 'system')?.content

describe('a send that follows the reply this server stored last', () => {
  it('starts its model call before its turn is stored, and streams only once it is', async () => {
    const user = await server.user()
    const { conversationId, question, replyId } = await firstExchange(user)
    const content = `follow-up ${randomUUID()}`
    server.fake.enqueue({ kind: 'text', text: 'The second answer.' }, { lastUserMessage: content })
    const before = await earlyCalls()

    prepares.hold()
    let answered = false
    const response = send(user, conversationId, { content, leafId: replyId }).then((r) => {
      answered = true
      return r
    })
    // The provider has the request while the prepare transaction has not even begun.
    await eventually(() => callsFor(content).length === 1)
    expect(answered).toBe(false)
    expect(await inspect.messages(server.db, conversationId)).toHaveLength(2)
    prepares.release()

    const events = await readEvents(await response)
    expect(streamedText(events)).toBe('The second answer.')
    expect(events.at(-1)?.event).toBe('done')
    // One call, made from the stored thread: the first exchange, then the new question.
    expect(callsFor(content)).toHaveLength(1)
    expect(await earlyCalls()).toEqual({ ...before, kept: before.kept + 1 })
    const sent = messagesOf(callsFor(content)[0]?.body).filter((m) => m.role !== 'system')
    expect(sent).toEqual([
      { role: 'user', content: question },
      { role: 'assistant', content: 'The first answer.' },
      { role: 'user', content },
    ])
    const rows = await inspect.messages(server.db, conversationId)
    expect(rows.map((row) => [row.role, row.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
      ['user', 'complete'],
      ['assistant', 'complete'],
    ])
  })

  it('is stopped when the stored thread differs, and the reply comes from the stored one', async () => {
    const user = await server.user()
    const { conversationId, replyId } = await firstExchange(user)
    // Changed behind this server's back (as another instance would): the held thread is stale.
    await server.db.withUser(user.claims, (tx) =>
      updateConversation(tx, conversationId, { systemPrompt: 'Answer in French.' }),
    )
    const content = `stale follow-up ${randomUUID()}`
    server.fake.enqueue({ kind: 'hang' }, { lastUserMessage: content })
    server.fake.enqueue({ kind: 'text', text: 'Bonjour.' }, { lastUserMessage: content })
    const before = await earlyCalls()

    prepares.hold()
    const response = send(user, conversationId, { content, leafId: replyId })
    await eventually(() => callsFor(content).length === 1)
    prepares.release()

    const events = await readEvents(await response)
    expect(streamedText(events)).toBe('Bonjour.')
    const [early, kept] = callsFor(content)
    expect(systemOf(early?.body)).not.toContain('Answer in French.')
    await eventually(() => early?.state === 'disconnected')
    expect(systemOf(kept?.body)).toContain('Answer in French.')
    expect(await earlyCalls()).toEqual({ ...before, stopped: before.stopped + 1 })
    // The stopped call stored nothing: one reply, one usage row for it.
    const done = events.at(-1)?.data as { assistantMessage: { id: string } }
    expect(await inspect.usageOfMessage(server.db, done.assistantMessage.id)).toHaveLength(1)
    expect(await inspect.messages(server.db, conversationId)).toHaveLength(4)
  })

  it('is stopped before any admission holds the turn, and the budget still refuses it', async () => {
    const user = await server.user()
    const { conversationId, replyId } = await firstExchange(user)
    const admin = await server.user({ admin: true })
    // A limit set since the first exchange: the held thread says there was none.
    await server.db.withUser(admin.claims, (tx) =>
      setBudgetOverride(tx, user.id, { limitMicroUsd: 0, period: 'monthly' }),
    )
    const content = `over budget ${randomUUID()}`
    server.fake.enqueue({ kind: 'hang' }, { lastUserMessage: content })
    const before = await earlyCalls()

    prepares.hold()
    const response = send(user, conversationId, { content, leafId: replyId })
    await eventually(() => callsFor(content).length === 1)
    prepares.release()

    expect((await response).status).toBe(402)
    expect(await earlyCalls()).toEqual({ ...before, stopped: before.stopped + 1 })
    await eventually(() => callsFor(content)[0]?.state === 'disconnected')
    expect(await inspect.messages(server.db, conversationId)).toHaveLength(2)
    // The thread is no longer held: the next send waits for its admission before any call.
    const again = await send(user, conversationId, { content, leafId: replyId })
    expect(again.status).toBe(402)
    expect(await earlyCalls()).toEqual({ ...before, stopped: before.stopped + 1 })
    expect(callsFor(content)).toHaveLength(1)
  })

  it('waits for the stored thread once the conversation was changed through this server', async () => {
    const user = await server.user()
    const { conversationId, replyId } = await firstExchange(user)
    const patched = await server.call(user.token, `/api/v1/conversations/${conversationId}`, {
      method: 'PATCH',
      json: { systemPrompt: 'Answer in Welsh.' },
    })
    expect(patched.status).toBe(200)
    const content = `after a change ${randomUUID()}`
    server.fake.enqueue({ kind: 'text', text: 'Bore da.' }, { lastUserMessage: content })
    const before = await earlyCalls()
    const events = await readEvents(await send(user, conversationId, { content, leafId: replyId }))
    expect(streamedText(events)).toBe('Bore da.')
    expect(callsFor(content)).toHaveLength(1)
    expect(systemOf(callsFor(content)[0]?.body)).toContain('Answer in Welsh.')
    expect(await earlyCalls()).toEqual(before)
  })

  it('waits for the stored thread when the send names another reply than the one held', async () => {
    const user = await server.user()
    const { conversationId } = await firstExchange(user)
    const content = `unheld ${randomUUID()}`
    server.fake.enqueue({ kind: 'text', text: 'Answered late.' }, { lastUserMessage: content })
    const before = await earlyCalls()
    const events = await readEvents(
      await send(user, conversationId, { content, leafId: randomUUID() }),
    )
    expect(streamedText(events)).toBe('Answered late.')
    expect(callsFor(content)).toHaveLength(1)
    expect(await earlyCalls()).toEqual(before)
  })
})
