import { inspect } from '@parley/db/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readEvents, startTestServer, type TestServer } from '../testing/test-server.ts'

const quotas = { conversations: 2, messagesPerConversation: 2, storedBytes: 2_000 }

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ quotas })
})
afterAll(() => server?.close())

type User = Awaited<ReturnType<TestServer['user']>>

const createConversation = (user: User, body: Record<string, unknown> = {}) =>
  server.call(user.token, '/api/v1/conversations', { method: 'POST', json: body })

/** Sends a message; a turn the quotas refuse is answered before any stream starts. */
const send = (user: User, conversationId: string, content: string) =>
  server.sendStreamed(user.token, conversationId, { content })

async function expectQuotaExceeded(response: Response, details: Record<string, unknown>) {
  expect(response.status).toBe(409)
  const body = (await response.json()) as { error: Record<string, unknown> }
  expect(body.error).toMatchObject({ code: 'quota_exceeded', details })
  expect(body.error.requestId).toBe(response.headers.get('x-request-id'))
  expect(body.error.message).toEqual(expect.any(String))
}

describe('per-user quotas', () => {
  it('refuses a conversation beyond the quota with the quota, its limit and the use', async () => {
    const user = await server.user()
    expect((await createConversation(user)).status).toBe(201)
    expect((await createConversation(user)).status).toBe(201)
    await expectQuotaExceeded(await createConversation(user), {
      quota: 'conversations',
      limit: 2,
      used: 2,
    })
  })

  it('refuses a turn beyond the messages of a conversation, storing no message or usage', async () => {
    const user = await server.user()
    // Titled, so that no title is generated (a call of its own) while the test looks.
    const created = await createConversation(user, { title: 'Quota' })
    const { id } = (await created.json()) as { id: string }
    const prompt = `quota-first-${id}`
    server.fake.enqueue({ kind: 'text', text: 'ok' }, { lastUserMessage: prompt })
    const first = await send(user, id, prompt)
    expect(first.status).toBe(200)
    expect((await readEvents(first)).at(-1)?.event).toBe('done')

    await expectQuotaExceeded(await send(user, id, `quota-second-${id}`), {
      quota: 'messagesPerConversation',
      limit: 2,
      used: 2,
    })
    expect((await inspect.messages(server.db, id)).map((m) => m.content)).toEqual([prompt, 'ok'])
    expect(await inspect.usageOfConversation(server.db, id)).toHaveLength(1)
  })

  it('refuses a system prompt or a message beyond the stored bytes, storing nothing', async () => {
    const user = await server.user()
    await expectQuotaExceeded(await createConversation(user, { systemPrompt: 'é'.repeat(1_001) }), {
      quota: 'storedBytes',
      limit: 2_000,
      used: 0,
    })
    const created = await createConversation(user, { systemPrompt: 'é'.repeat(900) })
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: string }

    await expectQuotaExceeded(await send(user, id, 'x'.repeat(201)), {
      quota: 'storedBytes',
      limit: 2_000,
      used: 1_800,
    })
    expect(await inspect.messages(server.db, id)).toEqual([])
    expect(await inspect.usageOfUser(server.db, user.id)).toEqual([])
  })
})
