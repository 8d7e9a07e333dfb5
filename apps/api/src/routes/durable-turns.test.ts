import { randomUUID } from 'node:crypto'
import type { Database } from '@parley/db'
import { inspect, withFaults } from '@parley/db/testing'
import { afterEach, describe, expect, it } from 'vitest'
import {
  eventually,
  readEvents,
  startTestServer,
  streamedReplyId,
  streamedText,
  type TestServer,
} from '../testing/test-server.ts'

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

async function serverWith(overrides: Parameters<typeof startTestServer>[0] = {}) {
  const server = await startTestServer(overrides)
  servers.push(server)
  return server
}

/** The app's database, except that the end-of-turn write fails while `failing()` says so. */
const failingSettles = (failing: () => boolean) => (db: Database) =>
  withFaults(db, (statement) => statement.includes('settle_turn') && failing())

type User = Awaited<ReturnType<TestServer['user']>>

async function sendStreamed(server: TestServer, user: User, content: string) {
  const conversationId = await server.newConversation(user.token)
  const response = await server.sendStreamed(user.token, conversationId, { content })
  return { conversationId, response }
}

describe('a reply whose end the database refuses for a while', () => {
  it('is stored as the client got it, with its usage, once the database answers again', async () => {
    let failures = 3
    const server = await serverWith({ wrapDb: failingSettles(() => failures-- > 0) })
    const user = await server.user()
    const content = `settle flaky ${randomUUID()}`
    server.fake.enqueue(
      { kind: 'text', text: 'A reply worth keeping, every word of it.' },
      { lastUserMessage: content },
    )
    const { response } = await sendStreamed(server, user, content)
    const events = await readEvents(response)

    const received = streamedText(events)
    expect(received).toBe('A reply worth keeping, every word of it.')
    expect(events.at(-1)).toMatchObject({
      event: 'done',
      data: { saved: false, assistantMessage: { status: 'complete', content: received } },
    })
    const replyId = streamedReplyId(events)
    const stored = await eventually(async () => {
      const [usage] = await inspect.usageOfMessage(server.db, replyId)
      return usage && { usage, rows: await inspect.messages(server.db, usage.conversationId ?? '') }
    })
    expect(stored.rows.find((m) => m.id === replyId)).toMatchObject({
      status: 'complete',
      content: received,
    })
    expect(await inspect.usageOfMessage(server.db, replyId)).toHaveLength(1)
  })

  it('is followed, not refused, when the client sends it again meanwhile; the drain gets a last attempt', async () => {
    let down = true
    const server = await serverWith({
      wrapDb: failingSettles(() => down),
      // Never retried on its own within the test: only the drain can store it.
      settleRetry: { baseDelayMs: 600_000, maxDelayMs: 600_000 },
    })
    const user = await server.user()
    const content = `settle at drain ${randomUUID()}`
    server.fake.enqueue(
      { kind: 'text', text: 'Kept through a restart.' },
      { lastUserMessage: content },
    )
    const id = randomUUID()
    const conversationId = await server.newConversation(user.token)
    const send = () => server.sendStreamed(user.token, conversationId, { id, content })
    const events = await readEvents(await send())
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { saved: false } })

    const again = await readEvents(await send())
    expect(streamedText(again)).toBe('Kept through a restart.')
    expect(again.at(-1)).toMatchObject({ event: 'done', data: { saved: false } })
    expect(server.fake.requestsFor({ lastUserMessage: content })).toHaveLength(1)

    down = false
    await server.deps.turns.drain(0)
    const reply = (await inspect.messages(server.db, conversationId)).at(-1)
    expect(reply).toMatchObject({ status: 'complete', content: 'Kept through a restart.' })
    expect(await inspect.usageOfMessage(server.db, streamedReplyId(events))).toHaveLength(1)
  })
})

describe('draining for shutdown', () => {
  it('fails readiness and refuses new turns with 503 draining, storing nothing', async () => {
    const server = await serverWith()
    const user = await server.user()
    expect((await fetch(`${server.url}/api/v1/ready`)).status).toBe(200)
    await server.deps.turns.drain(0)

    const ready = await fetch(`${server.url}/api/v1/ready`)
    expect(ready.status).toBe(503)
    expect(await ready.json()).toMatchObject({ status: 'draining' })
    expect((await fetch(`${server.url}/api/v1/health`)).status).toBe(200)

    const { conversationId, response } = await sendStreamed(server, user, 'too late')
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('1')
    expect(await response.json()).toMatchObject({
      error: { code: 'draining', requestId: expect.any(String) },
    })
    expect(await inspect.messages(server.db, conversationId)).toEqual([])
  })

  it('stops a reply still streaming after the grace period: a final error, the text and usage kept', async () => {
    const server = await serverWith()
    const user = await server.user()
    const content = `slow at shutdown ${randomUUID()}`
    server.fake.enqueue(
      { kind: 'text', tokens: 2_000, tokensPerSecond: 50 },
      { lastUserMessage: content },
    )
    const { conversationId, response } = await sendStreamed(server, user, content)
    let drained: Promise<void> | undefined
    const events = await readEvents(response, (event) => {
      if (event.event === 'delta') drained ??= server.deps.turns.drain(0)
      return undefined
    })
    await drained

    const received = streamedText(events)
    expect(received.length).toBeGreaterThan(0)
    expect(events.at(-1)).toMatchObject({
      event: 'error',
      data: { error: { code: 'draining' }, saved: true },
    })
    const replyId = streamedReplyId(events)
    const reply = (await inspect.messages(server.db, conversationId)).find((m) => m.id === replyId)
    expect(reply).toMatchObject({ status: 'incomplete', error: { code: 'server_shutdown' } })
    expect(reply?.content.startsWith(received)).toBe(true)
    expect(await inspect.usageOfMessage(server.db, replyId)).toMatchObject([{ status: 'aborted' }])
  })

  it('lets a reply finish within the grace period', async () => {
    const server = await serverWith()
    const user = await server.user()
    const content = `finishes in grace ${randomUUID()}`
    const text = 'one two three four five six seven eight'
    server.fake.enqueue({ kind: 'text', text, tokensPerSecond: 40 }, { lastUserMessage: content })
    const { response } = await sendStreamed(server, user, content)
    let drained: Promise<void> | undefined
    const events = await readEvents(response, (event) => {
      if (event.event === 'delta') drained ??= server.deps.turns.drain(60_000)
      return undefined
    })
    await drained
    expect(streamedText(events)).toBe(text)
    expect(events.at(-1)).toMatchObject({
      event: 'done',
      data: { saved: true, assistantMessage: { status: 'complete', content: text } },
    })
  })
})
