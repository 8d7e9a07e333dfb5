import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectEnvelope } from '../testing/expect-envelope.ts'
import { startTestServer, type TestServer } from '../testing/test-server.ts'

type User = Awaited<ReturnType<TestServer['user']>>

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server?.close())

const patchMe = (user: User, json: unknown) =>
  server.call(user.token, '/api/v1/me', { method: 'PATCH', json })

/** Sends `content` in a new conversation and returns the system prompt the model was given. */
async function systemPromptFor(user: User, content: string): Promise<string> {
  const created = await server.call(user.token, '/api/v1/conversations', {
    method: 'POST',
    json: {},
  })
  const { id } = (await created.json()) as { id: string }
  const sent = await server.call(user.token, `/api/v1/conversations/${id}/messages`, {
    method: 'POST',
    json: { content },
  })
  expect(sent.status).toBe(201)
  const [request] = server.fake.requestsFor({ lastUserMessage: content })
  const body = request?.body as { messages: { role: string; content: string }[] }
  return body.messages.find((m) => m.role === 'system')?.content ?? ''
}

describe('custom instructions', () => {
  it('are kept on the profile and given to the model in every new conversation', async () => {
    const user = await server.user()
    const saved = await patchMe(user, {
      aboutMe: 'I teach chemistry to teenagers.',
      replyStyle: '  Answer in British English, briefly.  ',
    })
    expect(saved.status).toBe(200)
    expect(await saved.json()).toMatchObject({
      aboutMe: 'I teach chemistry to teenagers.',
      replyStyle: 'Answer in British English, briefly.',
    })
    const system = await systemPromptFor(user, 'custom instructions: what is a mole?')
    expect(system).toContain('I teach chemistry to teenagers.')
    expect(system).toContain('Answer in British English, briefly.')
  })

  it('are left out once cleared, and another user never gets them', async () => {
    const user = await server.user()
    await patchMe(user, { aboutMe: 'I am left-handed.' })
    const other = await server.user()
    expect(await systemPromptFor(other, 'custom instructions: someone else')).not.toContain(
      'left-handed',
    )
    await patchMe(user, { aboutMe: '   ' })
    const me = (await (await server.call(user.token, '/api/v1/me')).json()) as {
      aboutMe: string | null
    }
    expect(me.aboutMe).toBeNull()
    const system = await systemPromptFor(user, 'custom instructions: after clearing')
    expect(system).not.toContain('left-handed')
    expect(system).not.toContain('custom instructions')
  })

  it('over the length limit are refused with the error envelope', async () => {
    const user = await server.user()
    await expectEnvelope(
      await patchMe(user, { replyStyle: 'x'.repeat(1501) }),
      400,
      'validation_error',
    )
  })
})
