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

describe('a turn that fails inside the server', () => {
  it('closes its reply as failed instead of leaving it streaming, and frees the stream slot', async () => {
    const streams = new StreamLimiter(1)
    // An impossible date makes the system prompt fail to render after the messages are stored.
    const turns = createChatTurns({
      db: server.db,
      models: server.deps.models,
      streams,
      today: () => 'not-a-date',
    })
    const user = await server.user()
    const created = await server.call(user.token, '/api/v1/conversations', {
      method: 'POST',
      json: {},
    })
    const { id } = (await created.json()) as { id: string }
    const ctx = { claims: user.claims, requestId: 'test', logger: pino({ level: 'silent' }) }
    const turn = await turns.start(ctx, { kind: 'send', conversationId: id, content: 'hello' })
    await expect(turn.run(new AbortController().signal, () => {})).rejects.toThrow()

    const reply = (await inspect.messages(server.db, id)).find((m) => m.role === 'assistant')
    expect(reply).toMatchObject({ status: 'error', error: { code: 'internal_error' } })
    expect(() => streams.acquire(user.id)()).not.toThrow()
  })
})
