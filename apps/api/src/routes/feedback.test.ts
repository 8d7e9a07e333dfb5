import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectEnvelope } from '../testing/expect-envelope.ts'
import { chatModel, startTestServer, type TestServer } from '../testing/test-server.ts'

type User = Awaited<ReturnType<TestServer['user']>>
interface ThreadMessage {
  id: string
  role: string
  feedback?: { vote: string; reasons: string[]; comment: string | null } | null
}

let server: TestServer
let owner: User
beforeAll(async () => {
  server = await startTestServer()
  owner = await server.user()
})
afterAll(() => server?.close())

/** A conversation of `user` with one finished exchange; returns its ids. */
async function exchange(user: User, content = 'Tell me about feedback') {
  const created = await server.call(user.token, '/api/v1/conversations', {
    method: 'POST',
    json: {},
  })
  const conversationId = ((await created.json()) as { id: string }).id
  const sent = await server.call(user.token, `/api/v1/conversations/${conversationId}/messages`, {
    method: 'POST',
    json: { content },
  })
  expect(sent.status).toBe(201)
  const body = (await sent.json()) as {
    userMessage: { id: string }
    assistantMessage: { id: string }
  }
  return { conversationId, questionId: body.userMessage.id, replyId: body.assistantMessage.id }
}

const feedbackPath = (messageId: string) => `/api/v1/messages/${messageId}/feedback`
const vote = (user: User, messageId: string, json: unknown) =>
  server.call(user.token, feedbackPath(messageId), { method: 'PUT', json })

async function thread(user: User, conversationId: string): Promise<ThreadMessage[]> {
  const response = await server.call(user.token, `/api/v1/conversations/${conversationId}/messages`)
  return ((await response.json()) as { items: ThreadMessage[] }).items
}

describe('feedback on a reply', () => {
  it('is saved, changed and cleared, and the thread shows the current vote', async () => {
    const { conversationId, replyId } = await exchange(owner)
    const first = await vote(owner, replyId, { vote: 'up', reasons: ['helpful'] })
    expect(first.status).toBe(200)
    expect(await first.json()).toMatchObject({ messageId: replyId, vote: 'up', comment: null })

    const changed = await vote(owner, replyId, {
      vote: 'down',
      reasons: ['inaccurate', 'too_long'],
      comment: 'The dates are wrong.',
    })
    expect(changed.status).toBe(200)
    expect((await thread(owner, conversationId)).map((m) => m.feedback)).toEqual([
      null,
      { vote: 'down', reasons: ['inaccurate', 'too_long'], comment: 'The dates are wrong.' },
    ])

    const cleared = await server.call(owner.token, feedbackPath(replyId), { method: 'DELETE' })
    expect(cleared.status).toBe(204)
    expect((await thread(owner, conversationId))[1]?.feedback).toBeNull()
  })

  it('refuses bad input with the error envelope and keeps the vote it had', async () => {
    const { conversationId, replyId } = await exchange(owner)
    await vote(owner, replyId, { vote: 'up' })
    const bad = [
      { vote: 'meh' },
      { vote: 'down', reasons: ['because'] },
      { vote: 'down', reasons: ['unsafe', 'unsafe'] },
      { vote: 'down', comment: 'x'.repeat(2001) },
      { vote: 'down', rating: 5 },
      {},
    ]
    for (const json of bad) {
      await expectEnvelope(await vote(owner, replyId, json), 400, 'validation_error')
    }
    await expectEnvelope(await vote(owner, 'not-a-uuid', { vote: 'up' }), 400, 'validation_error')
    expect((await thread(owner, conversationId))[1]?.feedback).toMatchObject({ vote: 'up' })
  })

  it('is 404 on another user’s reply, a user message, or a message that does not exist', async () => {
    const { conversationId, questionId, replyId } = await exchange(owner)
    await vote(owner, replyId, { vote: 'up' })
    const stranger = await server.user()
    await expectEnvelope(await vote(stranger, replyId, { vote: 'down' }), 404, 'not_found')
    await expectEnvelope(
      await server.call(stranger.token, feedbackPath(replyId), { method: 'DELETE' }),
      404,
      'not_found',
    )
    await expectEnvelope(await vote(owner, questionId, { vote: 'up' }), 404, 'not_found')
    await expectEnvelope(await vote(owner, randomUUID(), { vote: 'up' }), 404, 'not_found')
    expect((await thread(owner, conversationId))[1]?.feedback).toMatchObject({ vote: 'up' })
  })
})

describe('satisfaction per model', () => {
  it('is for admins only: anyone else gets a 403 envelope', async () => {
    await expectEnvelope(await server.call(owner.token, '/api/v1/admin/feedback'), 403, 'forbidden')
  })

  it('counts the votes of every user per model', async () => {
    const admin = await server.user({ admin: true })
    const before = await adminCounts(admin)
    const voters = [await server.user(), await server.user()]
    for (const [i, voter] of voters.entries()) {
      const { replyId } = await exchange(voter, `Question ${i}`)
      await vote(voter, replyId, { vote: i === 0 ? 'up' : 'down' })
    }
    expect(await adminCounts(admin)).toEqual({ up: before.up + 1, down: before.down + 1 })
  })
})

describe('the newest votes', () => {
  it('is for admins only: anyone else gets a 403 envelope', async () => {
    await expectEnvelope(
      await server.call(owner.token, '/api/v1/admin/feedback/recent'),
      403,
      'forbidden',
    )
  })

  it('lists every user’s votes with reasons and comments, newest first, a page at a time', async () => {
    const admin = await server.user({ admin: true })
    const voter = await server.user()
    const marker = `comment-${randomUUID()}`
    const first = await exchange(voter, 'First question')
    await vote(voter, first.replyId, { vote: 'down', reasons: ['too_long'], comment: marker })
    const second = await exchange(voter, 'Second question')
    await vote(voter, second.replyId, { vote: 'up' })

    const page = async (query: string) => {
      const response = await server.call(admin.token, `/api/v1/admin/feedback/recent?${query}`)
      expect(response.status).toBe(200)
      return (await response.json()) as {
        items: { messageId: string; userId: string; vote: string; comment: string | null }[]
        nextCursor: string | null
      }
    }
    const newest = await page('limit=1')
    expect(newest.items[0]).toMatchObject({ messageId: second.replyId, vote: 'up' })
    const next = await page(`limit=1&cursor=${newest.nextCursor}`)
    expect(next.items[0]).toMatchObject({
      messageId: first.replyId,
      userId: voter.id,
      vote: 'down',
      reasons: ['too_long'],
      comment: marker,
    })
    const downOnly = await page('vote=down&limit=100')
    expect(downOnly.items.every((item) => item.vote === 'down')).toBe(true)
    expect(downOnly.items.map((item) => item.messageId)).toContain(first.replyId)
  })

  it('refuses a cursor it did not hand out with the error envelope', async () => {
    const admin = await server.user({ admin: true })
    await expectEnvelope(
      await server.call(admin.token, '/api/v1/admin/feedback/recent?cursor=nonsense'),
      400,
      'validation_error',
    )
  })
})

async function adminCounts(admin: User) {
  const response = await server.call(admin.token, '/api/v1/admin/feedback')
  expect(response.status).toBe(200)
  const { items } = (await response.json()) as {
    items: { model: string | null; up: number; down: number }[]
  }
  const row = items.find((item) => item.model === chatModel)
  return { up: row?.up ?? 0, down: row?.down ?? 0 }
}
