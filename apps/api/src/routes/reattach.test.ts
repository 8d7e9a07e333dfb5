import { inspect } from '@parley/db/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectEnvelope } from '../testing/expect-envelope.ts'
import {
  eventually,
  type ParsedEvent,
  readEvents,
  startTestServer,
  streamedReplyId,
  streamedText,
  type TestServer,
} from '../testing/test-server.ts'

type User = Awaited<ReturnType<TestServer['user']>>

/** A page that went away: it read the first few pieces of the reply, then closed. */
async function sendAndLeave(server: TestServer, user: User, content: string, tokens = 60) {
  const conversationId = await server.newConversation(user.token)
  server.fake.enqueue({ kind: 'text', tokens, tokensPerSecond: 30 }, { lastUserMessage: content })
  const page = new AbortController()
  const response = await server.sendStreamed(user.token, conversationId, { content }, page.signal)
  const seen = await readEvents(
    response,
    (_e, all) => all.filter((e) => e.event === 'delta').length >= 2,
  )
  page.abort()
  return { conversationId, replyId: streamedReplyId(seen), seen: streamedText(seen) }
}

const follow = (server: TestServer, user: User, conversationId: string, replyId: string) =>
  server.call(user.token, `/api/v1/conversations/${conversationId}/messages/${replyId}/stream`, {
    headers: { accept: 'text/event-stream' },
  })

const stop = (server: TestServer, user: User, conversationId: string, replyId: string) =>
  server.call(user.token, `/api/v1/conversations/${conversationId}/messages/${replyId}/stop`, {
    method: 'POST',
  })

const storedReply = (server: TestServer, conversationId: string, replyId: string) =>
  inspect.messages(server.db, conversationId).then((rows) => rows.find((r) => r.id === replyId))

const ending = (events: ParsedEvent[]) =>
  events.at(-1) as {
    event: string
    data: { assistantMessage: { status: string; content: string } }
  }

describe('a reply whose page reloads', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ reattachGraceMs: 60_000 })
  })
  afterAll(() => server?.close())

  it('goes on without its page, and the reloaded page follows it to the end', async () => {
    const user = await server.user()
    const { conversationId, replyId, seen } = await sendAndLeave(server, user, 'reload during me')
    const events = await readEvents(await follow(server, user, conversationId, replyId))
    expect(events[0]?.event).toBe('start')
    const end = ending(events)
    expect(end.event).toBe('done')
    expect(end.data.assistantMessage.status).toBe('complete')
    // The follower gets the whole reply: what the first page saw, then the rest.
    expect(streamedText(events).startsWith(seen)).toBe(true)
    expect(streamedText(events)).toBe(end.data.assistantMessage.content)
    expect((await storedReply(server, conversationId, replyId))?.status).toBe('complete')
  })

  it('stops at once when its user presses Stop, keeping what was said', async () => {
    const user = await server.user()
    const { conversationId, replyId } = await sendAndLeave(server, user, 'stop me please', 600)
    expect((await stop(server, user, conversationId, replyId)).status).toBe(204)
    const stored = await eventually(async () => {
      const row = await storedReply(server, conversationId, replyId)
      return row?.status === 'incomplete' ? row : undefined
    })
    expect(stored.error).toMatchObject({ code: 'stopped' })
    expect(stored.content.length).toBeGreaterThan(0)
    // Following a finished reply reads it back as stored.
    const events = await readEvents(await follow(server, user, conversationId, replyId))
    expect(ending(events).data.assistantMessage.status).toBe('incomplete')
  })

  it('is nobody else’s to follow or stop', async () => {
    const owner = await server.user()
    const stranger = await server.user()
    const { conversationId, replyId } = await sendAndLeave(server, owner, 'mine alone')
    await expectEnvelope(await follow(server, stranger, conversationId, replyId), 404, 'not_found')
    await expectEnvelope(await stop(server, stranger, conversationId, replyId), 404, 'not_found')
    const events = await readEvents(await follow(server, owner, conversationId, replyId))
    expect(ending(events).data.assistantMessage.status).toBe('complete')
  })

  it('refuses a malformed message id with the error envelope', async () => {
    const user = await server.user()
    const conversationId = await server.newConversation(user.token)
    await expectEnvelope(
      await follow(server, user, conversationId, 'not-a-uuid'),
      400,
      'validation_error',
    )
  })
})

describe('a reply nobody comes back for', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ reattachGraceMs: 100 })
  })
  afterAll(() => server?.close())

  it('is stopped once the grace has passed, and kept as far as it got', async () => {
    const user = await server.user()
    const { conversationId, replyId } = await sendAndLeave(server, user, 'abandon me', 600)
    const stored = await eventually(async () => {
      const row = await storedReply(server, conversationId, replyId)
      return row && row.status !== 'streaming' ? row : undefined
    })
    expect(stored.status).toBe('incomplete')
    expect(stored.error).toMatchObject({ code: 'stopped' })
  })
})
