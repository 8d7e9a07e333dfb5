import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { appendMessage, createConversation, createShare as shareConversation } from '@parley/db'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultLimits } from '../config.ts'
import { expectEnvelope } from '../testing/expect-envelope.ts'
import { startTestServer, type TestServer } from '../testing/test-server.ts'

type User = Awaited<ReturnType<TestServer['user']>>
interface Exchange {
  questionId: string
  replyId: string
}
interface ShareBody {
  id: string
  url: string
  title: string | null
  createdAt: string
  messageCount: number
  messageId: string
  revokedAt: string | null
}
interface SharedBody {
  id: string
  title: string | null
  messages: { role: string; content: string; model: string | null }[]
}

let server: TestServer
let owner: User
let other: User
let webDist: string
beforeAll(async () => {
  webDist = await mkdtemp(path.join(os.tmpdir(), 'parley-web-'))
  await writeFile(path.join(webDist, 'index.html'), '<!doctype html><div id="root"></div>')
  // Many turns by one owner: the turn limit is not what this file tests.
  server = await startTestServer({
    webDist,
    limits: { ...defaultLimits, turnsPerMinute: 10_000 },
  })
  owner = await server.user()
  other = await server.user()
})
afterAll(async () => {
  await server?.close()
  await rm(webDist, { recursive: true, force: true })
})

async function send(conversationId: string, content: string): Promise<Exchange> {
  const response = await server.call(
    owner.token,
    `/api/v1/conversations/${conversationId}/messages`,
    {
      method: 'POST',
      json: { content },
    },
  )
  expect(response.status).toBe(201)
  const body = (await response.json()) as {
    userMessage: { id: string }
    assistantMessage: { id: string }
  }
  return { questionId: body.userMessage.id, replyId: body.assistantMessage.id }
}

const sharesOf = (conversationId: string) => `/api/v1/conversations/${conversationId}/shares`
const createShare = (who: User, conversationId: string, json: unknown = {}) =>
  server.call(who.token, sharesOf(conversationId), { method: 'POST', json })
/** A request with no token at all, as a signed-out visitor makes it. */
const visit = (shareId: string) => fetch(`${server.url}/api/v1/shares/${shareId}`)

async function sharedConversation() {
  const conversationId = await server.newConversation(owner.token)
  const first = await send(conversationId, 'What is a share link?')
  const second = await send(conversationId, 'Who can open it?')
  return { conversationId, first, second }
}

describe('sharing a conversation', () => {
  it('publishes the thread to anyone with the link, and nothing about its owner', async () => {
    const { conversationId, second } = await sharedConversation()
    const created = await createShare(owner, conversationId)
    expect(created.status).toBe(201)
    const share = (await created.json()) as ShareBody
    expect(share).toMatchObject({ messageCount: 4, messageId: second.replyId, revokedAt: null })
    expect(share.id).toMatch(/^[A-Za-z0-9_-]{24}$/)
    expect(share.url).toBe(`${server.url}/s/${share.id}`)
    expect(Number.isNaN(Date.parse(share.createdAt))).toBe(false)

    const page = await visit(share.id)
    expect(page.status).toBe(200)
    expect(page.headers.get('x-robots-tag')).toBe('noindex')
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'")
    const text = await page.text()
    expect(text).not.toContain(owner.email)
    expect(text).not.toContain(owner.id)
    expect(text).not.toContain(conversationId)
    const body = JSON.parse(text) as SharedBody
    expect(body.id).toBe(share.id)
    expect(body.messages.map((m) => [m.role, m.role === 'user' ? m.content : m.model])).toEqual([
      ['user', 'What is a share link?'],
      ['assistant', expect.any(String)],
      ['user', 'Who can open it?'],
      ['assistant', expect.any(String)],
    ])
    expect(body.messages[1]?.content).toBeTruthy()
  })

  it('keeps the snapshot as it was when shared, and can stop at an earlier message', async () => {
    const { conversationId, first } = await sharedConversation()
    const whole = (await (await createShare(owner, conversationId)).json()) as ShareBody
    const early = (await (
      await createShare(owner, conversationId, { messageId: first.replyId })
    ).json()) as ShareBody
    expect(early.messageCount).toBe(2)

    await send(conversationId, 'A question asked after sharing')
    const rename = await server.call(owner.token, `/api/v1/conversations/${conversationId}`, {
      method: 'PATCH',
      json: { title: 'Renamed after sharing' },
    })
    expect(rename.status).toBe(200)

    const read = async (id: string) => (await (await visit(id)).json()) as SharedBody
    const wholeNow = await read(whole.id)
    expect(wholeNow.messages).toHaveLength(4)
    expect(JSON.stringify(wholeNow)).not.toContain('A question asked after sharing')
    expect(wholeNow.title).not.toBe('Renamed after sharing')
    expect((await read(early.id)).messages.map((m) => m.content)[0]).toBe('What is a share link?')
    expect(await read(early.id)).toMatchObject({ messages: { length: 2 } })
  })

  it('lists the owner’s links, newest first, and a revoked link answers 410', async () => {
    const { conversationId } = await sharedConversation()
    const older = (await (await createShare(owner, conversationId)).json()) as ShareBody
    const newer = (await (await createShare(owner, conversationId)).json()) as ShareBody

    const listed = await server.call(owner.token, sharesOf(conversationId))
    expect(listed.status).toBe(200)
    const { items } = (await listed.json()) as { items: ShareBody[] }
    expect(items.map((item) => item.id)).toEqual([newer.id, older.id])

    const revoked = await server.call(owner.token, `/api/v1/shares/${older.id}`, {
      method: 'DELETE',
    })
    expect(revoked.status).toBe(204)
    const gone = await visit(older.id)
    expect(gone.headers.get('x-robots-tag')).toBe('noindex')
    await expectEnvelope(gone, 410, 'share_revoked')
    expect((await visit(newer.id)).status).toBe(200)

    const after = (await (await server.call(owner.token, sharesOf(conversationId))).json()) as {
      items: ShareBody[]
    }
    expect(after.items.find((item) => item.id === older.id)?.revokedAt).toEqual(expect.any(String))
    expect(after.items.find((item) => item.id === newer.id)?.revokedAt).toBeNull()
  })

  it('links to the page on the web app that asked for it', async () => {
    const { conversationId } = await sharedConversation()
    const created = await server.call(owner.token, sharesOf(conversationId), {
      method: 'POST',
      json: {},
      headers: { origin: 'https://chat.example.com' },
    })
    const share = (await created.json()) as ShareBody
    expect(share.url).toBe(`https://chat.example.com/s/${share.id}`)
  })

  it('answers 404 for a link that never existed', async () => {
    await expectEnvelope(await visit('AAAAAAAAAAAAAAAAAAAAAAAA'), 404, 'not_found')
    await expectEnvelope(await visit('not-even-a-share-id'), 404, 'not_found')
  })

  it('goes away with its conversation', async () => {
    const { conversationId } = await sharedConversation()
    const share = (await (await createShare(owner, conversationId)).json()) as ShareBody
    const deleted = await server.call(owner.token, `/api/v1/conversations/${conversationId}`, {
      method: 'DELETE',
    })
    expect(deleted.status).toBe(204)
    await expectEnvelope(await visit(share.id), 404, 'not_found')
  })
})

describe('another user', () => {
  it('cannot share, list or revoke someone else’s links', async () => {
    const { conversationId } = await sharedConversation()
    const share = (await (await createShare(owner, conversationId)).json()) as ShareBody

    await expectEnvelope(await createShare(other, conversationId), 404, 'not_found')
    await expectEnvelope(await server.call(other.token, sharesOf(conversationId)), 404, 'not_found')
    await expectEnvelope(
      await server.call(other.token, `/api/v1/shares/${share.id}`, { method: 'DELETE' }),
      404,
      'not_found',
    )
    expect((await visit(share.id)).status).toBe(200)
  })

  it('cannot share up to one of their own messages through someone else’s conversation', async () => {
    const { conversationId } = await sharedConversation()
    const theirs = await server.newConversation(other.token)
    const sent = await server.call(other.token, `/api/v1/conversations/${theirs}/messages`, {
      method: 'POST',
      json: { content: 'Mine alone' },
    })
    const { userMessage } = (await sent.json()) as { userMessage: { id: string } }
    await expectEnvelope(
      await createShare(owner, conversationId, { messageId: userMessage.id }),
      404,
      'not_found',
    )
  })

  it('needs a token to share, list or revoke', async () => {
    const { conversationId } = await sharedConversation()
    const anonymous = await fetch(`${server.url}${sharesOf(conversationId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    await expectEnvelope(anonymous, 401, 'unauthorized')
    const revoke = await fetch(`${server.url}/api/v1/shares/AAAAAAAAAAAAAAAAAAAAAAAA`, {
      method: 'DELETE',
    })
    await expectEnvelope(revoke, 401, 'unauthorized')
  })
})

describe('bad input', () => {
  it('is refused with the error envelope and creates nothing', async () => {
    const { conversationId } = await sharedConversation()
    for (const json of [{ messageId: 'not-a-uuid' }, { messageId: 42 }, { title: 'extra' }, []]) {
      await expectEnvelope(await createShare(owner, conversationId, json), 400, 'validation_error')
    }
    await expectEnvelope(await createShare(owner, 'not-a-uuid'), 400, 'validation_error')
    const empty = await server.newConversation(owner.token)
    await expectEnvelope(await createShare(owner, empty), 409, 'conflict')
    const listed = (await (await server.call(owner.token, sharesOf(conversationId))).json()) as {
      items: unknown[]
    }
    expect(listed.items).toEqual([])
  })
})

describe('the public route', () => {
  it('counts signed-out visits per client address, and refuses past the limit', async () => {
    // A clock that stands still: all three visits fall in one window, however slow the machine.
    const startedAt = Date.now()
    const limited = await startTestServer({
      limits: { ...defaultLimits, requestsPerMinute: 2 },
      now: () => startedAt,
    })
    try {
      const user = await limited.user()
      const share = await limited.db.withUser(user.claims, async (tx) => {
        const conversation = await createConversation(tx)
        await appendMessage(tx, {
          conversationId: conversation.id,
          role: 'user',
          content: 'Shared once',
        })
        return shareConversation(tx, conversation.id)
      })
      const visitLimited = () => fetch(`${limited.url}/api/v1/shares/${share?.id}`)
      const first = await visitLimited()
      expect(first.status).toBe(200)
      expect(first.headers.get('ratelimit-policy')).toBe('"public";q=2;w=60')
      expect((await visitLimited()).status).toBe(200)
      const refused = await visitLimited()
      expect(refused.headers.get('retry-after')).toBeTruthy()
      await expectEnvelope(refused, 429, 'rate_limited')
    } finally {
      await limited.close()
    }
  })
})

describe('the share page', () => {
  it('is the web app, kept out of search engines, under the app’s strict policy', async () => {
    const page = await fetch(`${server.url}/s/AAAAAAAAAAAAAAAAAAAAAAAA`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<div id="root">')
    expect(page.headers.get('x-robots-tag')).toBe('noindex')
    const csp = page.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    const home = await fetch(`${server.url}/`)
    expect(home.headers.get('x-robots-tag')).toBeNull()
  })
})
