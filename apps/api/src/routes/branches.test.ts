import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectEnvelope } from '../testing/expect-envelope.ts'
import { startTestServer, type TestServer } from '../testing/test-server.ts'

type User = Awaited<ReturnType<TestServer['user']>>
interface ThreadMessage {
  id: string
  role: string
  content: string
  parentId: string | null
  siblingIds: string[]
}
interface Exchange {
  question: ThreadMessage
  reply: ThreadMessage
}

let server: TestServer
let user: User
beforeAll(async () => {
  server = await startTestServer()
  user = await server.user()
})
afterAll(() => server?.close())

async function newConversation(): Promise<string> {
  const created = await server.call(user.token, '/api/v1/conversations', {
    method: 'POST',
    json: {},
  })
  return ((await created.json()) as { id: string }).id
}

async function send(conversationId: string, json: Record<string, unknown>): Promise<Exchange> {
  const response = await server.call(
    user.token,
    `/api/v1/conversations/${conversationId}/messages`,
    {
      method: 'POST',
      json,
    },
  )
  expect(response.status).toBe(201)
  const body = (await response.json()) as {
    userMessage: ThreadMessage
    assistantMessage: ThreadMessage
  }
  return { question: body.userMessage, reply: body.assistantMessage }
}

async function regenerate(conversationId: string, replyId: string): Promise<ThreadMessage> {
  const response = await server.call(
    user.token,
    `/api/v1/conversations/${conversationId}/messages/${replyId}/regenerate`,
    { method: 'POST', json: {} },
  )
  expect(response.status).toBe(201)
  return ((await response.json()) as { assistantMessage: ThreadMessage }).assistantMessage
}

async function thread(conversationId: string): Promise<ThreadMessage[]> {
  const response = await server.call(user.token, `/api/v1/conversations/${conversationId}/messages`)
  return ((await response.json()) as { items: ThreadMessage[] }).items
}

const switchTo = (conversationId: string, messageId: string, who: User = user) =>
  server.call(who.token, `/api/v1/conversations/${conversationId}/branch`, {
    method: 'PUT',
    json: { messageId },
  })

const contents = (messages: ThreadMessage[]) => messages.map((m) => m.content)

describe('editing a message', () => {
  it('sends the new version beside the old one, with its own reply; the old branch stays', async () => {
    const c = await newConversation()
    const first = await send(c, { content: 'Plan a trip to Rome' })
    const second = await send(c, { content: 'For three days' })
    const edited = await send(c, { content: 'For five days', parentId: second.question.parentId })

    const shown = await thread(c)
    expect(contents(shown)).toEqual([
      'Plan a trip to Rome',
      first.reply.content,
      'For five days',
      edited.reply.content,
    ])
    expect(shown[2]?.siblingIds).toEqual([second.question.id, edited.question.id])
    expect(shown[0]?.siblingIds).toEqual([first.question.id])

    const back = await switchTo(c, second.question.id)
    expect(await back.json()).toEqual({ activeLeafId: second.reply.id })
    expect(contents(await thread(c))).toEqual([
      'Plan a trip to Rome',
      first.reply.content,
      'For three days',
      second.reply.content,
    ])
  })

  it('of the first message starts a new first message', async () => {
    const c = await newConversation()
    const original = await send(c, { content: 'Hello there' })
    await send(c, { content: 'And then?' })
    const edited = await send(c, { content: 'Good morning', parentId: null })
    const shown = await thread(c)
    expect(contents(shown)).toEqual(['Good morning', edited.reply.content])
    expect(shown[0]?.siblingIds).toEqual([original.question.id, edited.question.id])
  })

  it('continues the branch shown: a new message after switching answers that branch', async () => {
    const c = await newConversation()
    const first = await send(c, { content: 'Name a colour' })
    await send(c, { content: 'Name a fruit', parentId: null })
    await switchTo(c, first.question.id)
    const next = await send(c, { content: 'Another one' })
    expect(next.question.parentId).toBe(first.reply.id)
    expect(contents(await thread(c))).toEqual([
      'Name a colour',
      first.reply.content,
      'Another one',
      next.reply.content,
    ])
  })
})

describe('regenerating a reply in the middle of the thread', () => {
  it('branches there, and switching back shows the old branch down to its newest reply', async () => {
    const c = await newConversation()
    const first = await send(c, { content: 'First question' })
    const second = await send(c, { content: 'Second question' })
    const fresh = await regenerate(c, first.reply.id)

    const shown = await thread(c)
    expect(shown.map((m) => m.id)).toEqual([first.question.id, fresh.id])
    expect(shown[1]?.siblingIds).toEqual([first.reply.id, fresh.id])

    await switchTo(c, first.reply.id)
    expect((await thread(c)).map((m) => m.id)).toEqual([
      first.question.id,
      first.reply.id,
      second.question.id,
      second.reply.id,
    ])
  })
})

describe('switching branches', () => {
  it('refuses bad input, other conversations’ messages and other users’ conversations', async () => {
    const c = await newConversation()
    const { question } = await send(c, { content: 'Mine' })
    const elsewhere = await send(await newConversation(), { content: 'Elsewhere' })
    await expectEnvelope(
      await server.call(user.token, `/api/v1/conversations/${c}/branch`, {
        method: 'PUT',
        json: { messageId: 'nope' },
      }),
      400,
      'validation_error',
    )
    await expectEnvelope(await switchTo(c, elsewhere.question.id), 404, 'not_found')
    await expectEnvelope(await switchTo(c, randomUUID()), 404, 'not_found')
    await expectEnvelope(await switchTo(c, question.id, await server.user()), 404, 'not_found')
  })

  it('refuses an edit whose parent is in another conversation, storing nothing', async () => {
    const c = await newConversation()
    await send(c, { content: 'Here' })
    const elsewhere = await send(await newConversation(), { content: 'There' })
    const response = await server.call(user.token, `/api/v1/conversations/${c}/messages`, {
      method: 'POST',
      json: { content: 'Misplaced', parentId: elsewhere.reply.id },
    })
    expect(response.status).toBe(404)
    expect(contents(await thread(c))).not.toContain('Misplaced')
  })
})
