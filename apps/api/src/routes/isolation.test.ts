import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readEvents, startTestServer, type TestServer } from '../testing/test-server.ts'

let server: TestServer
let owner: Awaited<ReturnType<TestServer['user']>>
let stranger: Awaited<ReturnType<TestServer['user']>>
let conversationId: string
let assistantId: string

beforeAll(async () => {
  server = await startTestServer()
  owner = await server.user()
  stranger = await server.user()
  const created = await server.call(owner.token, '/api/v1/conversations', {
    method: 'POST',
    json: { title: 'Private plans' },
  })
  conversationId = ((await created.json()) as { id: string }).id
  const events = await readEvents(
    await server.call(owner.token, `/api/v1/conversations/${conversationId}/messages`, {
      method: 'POST',
      json: { content: 'my secret' },
      headers: { accept: 'text/event-stream' },
    }),
  )
  const done = events.at(-1)?.data as { assistantMessage: { id: string } } | undefined
  if (!done) throw new Error('the reply finished')
  assistantId = done.assistantMessage.id
})
afterAll(() => server?.close())

describe("another user's resources", () => {
  const attempts = () => [
    { method: 'GET', path: `/api/v1/conversations/${conversationId}` },
    {
      method: 'PATCH',
      path: `/api/v1/conversations/${conversationId}`,
      json: { title: 'mine now' },
    },
    { method: 'DELETE', path: `/api/v1/conversations/${conversationId}` },
    { method: 'GET', path: `/api/v1/conversations/${conversationId}/messages` },
    {
      method: 'POST',
      path: `/api/v1/conversations/${conversationId}/messages`,
      json: { content: 'hi' },
    },
    {
      method: 'POST',
      path: `/api/v1/conversations/${conversationId}/messages/${assistantId}/regenerate`,
      json: {},
    },
  ]

  it('are 404 by id for every route, exactly like ones that do not exist', async () => {
    for (const attempt of attempts()) {
      const response = await server.call(stranger.token, attempt.path, {
        method: attempt.method,
        ...(attempt.json ? { json: attempt.json } : {}),
      })
      expect(response.status, `${attempt.method} ${attempt.path}`).toBe(404)
      const body = (await response.json()) as { error: { code: string; requestId: string } }
      expect(body.error.code).toBe('not_found')
      expect(body.error.requestId).toBe(response.headers.get('x-request-id'))
    }
  })

  it('never appear in lists', async () => {
    const list = (await (await server.call(stranger.token, '/api/v1/conversations')).json()) as {
      items: unknown[]
    }
    expect(list.items).toEqual([])
  })

  it('are left untouched', async () => {
    const mine = (await (
      await server.call(owner.token, `/api/v1/conversations/${conversationId}`)
    ).json()) as { title: string }
    expect(mine.title).toBe('Private plans')
    const thread = (await (
      await server.call(owner.token, `/api/v1/conversations/${conversationId}/messages`)
    ).json()) as { items: { content: string }[] }
    expect(thread.items.map((m) => m.content)).toEqual(['my secret', expect.any(String)])
  })
})
