import { inspect } from '@parley/db/testing'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../testing/test-server.ts'
import { StreamLimiter } from '../stream-limiter.ts'
import { createChatTurns } from './index.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server?.close())

async function conversationOf(user: Awaited<ReturnType<TestServer['user']>>) {
  const created = await server.call(user.token, '/api/v1/conversations', {
    method: 'POST',
    json: {},
  })
  return ((await created.json()) as { id: string }).id
}

describe('a turn that fails inside the server', () => {
  it('closes its reply as failed instead of leaving it streaming, and frees the stream slot', async () => {
    const streams = new StreamLimiter({ db: server.db, max: 1 })
    // The outcome cannot be recorded: the failure comes after the messages are stored.
    const turns = createChatTurns({
      db: server.db,
      models: server.deps.models,
      streams,
      settle: [
        async () => {
          throw new Error('the ledger is unavailable')
        },
      ],
    })
    const user = await server.user()
    const id = await conversationOf(user)
    server.fake.enqueue({ kind: 'text', text: '' }, { lastUserMessage: 'hello, silence' })
    const ctx = { claims: user.claims, requestId: 'test', logger: pino({ level: 'silent' }) }
    const turn = await turns.start(ctx, {
      kind: 'send',
      conversationId: id,
      content: 'hello, silence',
    })
    await expect(turn.run(new AbortController().signal, () => {})).rejects.toThrow()

    const reply = (await inspect.messages(server.db, id)).find((m) => m.role === 'assistant')
    expect(reply).toMatchObject({ status: 'error', error: { code: 'internal_error' } })
    await expect(streams.acquire(user.id)).resolves.toBeTypeOf('function')
  })

  it('stores nothing and calls no model when the request cannot be built, and frees the slot', async () => {
    const streams = new StreamLimiter({ db: server.db, max: 1 })
    // An impossible date makes the system prompt fail to render, before the provider is called.
    const turns = createChatTurns({
      db: server.db,
      models: server.deps.models,
      streams,
      today: () => 'not-a-date',
    })
    const user = await server.user()
    const id = await conversationOf(user)
    const ctx = { claims: user.claims, requestId: 'test', logger: pino({ level: 'silent' }) }
    await expect(
      turns.start(ctx, { kind: 'send', conversationId: id, content: 'hello, broken prompt' }),
    ).rejects.toThrow()

    expect(await inspect.messages(server.db, id)).toEqual([])
    expect(server.fake.requestsFor({ lastUserMessage: 'hello, broken prompt' })).toEqual([])
    await expect(streams.acquire(user.id)).resolves.toBeTypeOf('function')
  })
})
