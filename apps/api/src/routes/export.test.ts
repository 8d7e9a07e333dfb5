import { randomUUID } from 'node:crypto'
import {
  type ConversationExport,
  conversationExport,
  type UserDataExport,
  userDataExport,
} from '@parley/schema/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectEnvelope } from '../testing/expect-envelope.ts'
import { chatModel, startTestServer, type TestServer } from '../testing/test-server.ts'

type User = Awaited<ReturnType<TestServer['user']>>
interface SentMessage {
  id: string
  parentId: string | null
}

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server?.close())

async function newConversation(user: User, title: string): Promise<string> {
  const created = await server.call(user.token, '/api/v1/conversations', {
    method: 'POST',
    json: { title },
  })
  expect(created.status).toBe(201)
  return ((await created.json()) as { id: string }).id
}

async function send(user: User, conversationId: string, json: Record<string, unknown>) {
  const response = await server.call(
    user.token,
    `/api/v1/conversations/${conversationId}/messages`,
    { method: 'POST', json },
  )
  expect(response.status).toBe(201)
  return (await response.json()) as { userMessage: SentMessage; assistantMessage: SentMessage }
}

/**
 * A conversation with two branches: "For three days" was edited into "For five days", which is
 * the branch shown. Returns its id.
 */
async function branchedConversation(user: User, title = 'Trip to Rome'): Promise<string> {
  const id = await newConversation(user, title)
  await send(user, id, { content: 'Plan a trip to Rome' })
  const second = await send(user, id, { content: 'For three days' })
  await send(user, id, { content: 'For five days', parentId: second.userMessage.parentId })
  return id
}

const exportUrl = (id: string, format: string) =>
  `/api/v1/conversations/${id}/export?format=${format}`

async function exportJson(user: User, id: string): Promise<ConversationExport> {
  const response = await server.call(user.token, exportUrl(id, 'json'))
  expect(response.status).toBe(200)
  return conversationExport.parse(await response.json())
}

const importDoc = (user: User, json: unknown) =>
  server.call(user.token, '/api/v1/conversations/import', { method: 'POST', json })

async function conversationCount(user: User): Promise<number> {
  const response = await server.call(user.token, '/api/v1/conversations?limit=100')
  return ((await response.json()) as { items: unknown[] }).items.length
}

/** What a round trip must keep: everything but the ids, parents named by position. */
function structure(doc: ConversationExport) {
  const position = new Map(doc.messages.map((message, index) => [message.id, index]))
  return {
    title: doc.conversation.title,
    systemPrompt: doc.conversation.systemPrompt,
    activeLeaf: position.get(doc.conversation.activeLeafId ?? ''),
    messages: doc.messages.map((message) => ({
      role: message.role,
      content: message.content,
      model: message.model,
      status: message.status,
      parent: message.parentId === null ? null : position.get(message.parentId),
    })),
  }
}

describe('exporting a conversation', () => {
  it('as Markdown holds the title and the shown branch only, with roles and models', async () => {
    const user = await server.user()
    const id = await branchedConversation(user)
    const response = await server.call(user.token, exportUrl(id, 'markdown'))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/markdown; charset=utf-8')
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="trip-to-rome.md"',
    )
    const markdown = await response.text()
    expect(markdown.startsWith('# Trip to Rome\n')).toBe(true)
    expect(markdown).toContain('## User\n\nPlan a trip to Rome')
    expect(markdown).toContain('## User\n\nFor five days')
    expect(markdown).toContain(`## Assistant (${chatModel})`)
    expect(markdown).not.toContain('For three days')
    expect(markdown.indexOf('Plan a trip to Rome')).toBeLessThan(markdown.indexOf('For five days'))
  })

  it('as JSON holds every message of every branch with its parent', async () => {
    const user = await server.user()
    const id = await branchedConversation(user)
    const response = await server.call(user.token, exportUrl(id, 'json'))
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="trip-to-rome.json"',
    )
    const doc = conversationExport.parse(await response.json())
    expect(doc).toMatchObject({ format: 'parley.conversation', version: 1 })
    expect(
      doc.messages.map((m) => [m.role, m.content.startsWith('For') ? m.content : '…']),
    ).toEqual([
      ['user', '…'],
      ['assistant', '…'],
      ['user', 'For three days'],
      ['assistant', '…'],
      ['user', 'For five days'],
      ['assistant', '…'],
    ])
    const [, firstReply, three, , five, lastReply] = doc.messages
    expect(three?.parentId).toBe(firstReply?.id)
    expect(five?.parentId).toBe(firstReply?.id)
    expect(doc.conversation.activeLeafId).toBe(lastReply?.id)
  })

  it('is 404 for another user’s conversation, and for one that does not exist', async () => {
    const owner = await server.user()
    const id = await branchedConversation(owner)
    const stranger = await server.user()
    for (const format of ['json', 'markdown']) {
      await expectEnvelope(
        await server.call(stranger.token, exportUrl(id, format)),
        404,
        'not_found',
      )
    }
    await expectEnvelope(
      await server.call(owner.token, exportUrl(randomUUID(), 'json')),
      404,
      'not_found',
    )
    await expectEnvelope(
      await server.call(owner.token, exportUrl(id, 'pdf')),
      400,
      'validation_error',
    )
  })
})

describe('importing a conversation', () => {
  it('round-trips: export, import, export again gives the same conversation with new ids', async () => {
    const user = await server.user()
    const original = await exportJson(user, await branchedConversation(user))
    const imported = await importDoc(user, original)
    expect(imported.status).toBe(201)
    const created = (await imported.json()) as { id: string; title: string }
    expect(created.title).toBe('Trip to Rome')

    const again = await exportJson(user, created.id)
    expect(structure(again)).toEqual(structure(original))
    const originalIds = new Set(original.messages.map((m) => m.id))
    expect(again.messages.some((m) => originalIds.has(m.id))).toBe(false)

    const markdown = await server.call(user.token, exportUrl(created.id, 'markdown'))
    expect(await markdown.text()).not.toContain('For three days')
  })

  it('creates the conversation for the caller, whatever ids the file holds', async () => {
    const owner = await server.user()
    const id = await branchedConversation(owner)
    const doc = await exportJson(owner, id)
    const other = await server.user()
    const imported = await importDoc(other, doc)
    expect(imported.status).toBe(201)
    const created = (await imported.json()) as { id: string; userId: string }
    expect(created.userId).toBe(other.id)
    expect(created.id).not.toBe(id)
    // The original stays the owner's alone, untouched.
    expect(structure(await exportJson(owner, id))).toEqual(structure(doc))
    await expectEnvelope(await server.call(other.token, exportUrl(id, 'json')), 404, 'not_found')
  })

  it('keeps a reply that was still streaming as incomplete', async () => {
    const user = await server.user()
    const imported = await importDoc(user, {
      format: 'parley.conversation',
      version: 1,
      exportedAt: '2026-12-01T10:00:00.000Z',
      conversation: { title: 'Hand written', createdAt: '2026-12-01T09:00:00.000Z' },
      messages: [
        {
          id: 'q',
          parentId: null,
          role: 'user',
          content: 'Hello',
          createdAt: '2026-12-01T09:00:00.000Z',
        },
        {
          id: 'a',
          parentId: 'q',
          role: 'assistant',
          content: 'Hel',
          status: 'streaming',
          createdAt: '2026-12-01T09:00:01.000Z',
        },
      ],
    })
    expect(imported.status).toBe(201)
    const { id } = (await imported.json()) as { id: string }
    const doc = await exportJson(user, id)
    expect(doc.messages.map((m) => [m.content, m.status])).toEqual([
      ['Hello', 'complete'],
      ['Hel', 'incomplete'],
    ])
    expect(doc.messages[0]?.createdAt).toBe('2026-12-01T09:00:00.000Z')
  })

  it('refuses a malformed document, a dangling parent or a cycle, and writes nothing', async () => {
    const user = await server.user()
    const valid = await exportJson(user, await branchedConversation(user))
    const before = await conversationCount(user)
    const [first, second, ...rest] = valid.messages
    if (!first || !second) throw new Error('the conversation has messages')
    const bad: unknown[] = [
      { format: 'something.else', version: 1 },
      { ...valid, version: 2 },
      { ...valid, messages: 'none' },
      { ...valid, messages: [{ ...first, role: 'wizard' }, second, ...rest] },
      { ...valid, messages: [first, { ...second, parentId: 'missing' }, ...rest] },
      {
        ...valid,
        messages: [{ ...first, parentId: second.id }, { ...second, parentId: first.id }, ...rest],
      },
      { ...valid, messages: [first, { ...second, id: first.id }, ...rest] },
      { ...valid, conversation: { ...valid.conversation, activeLeafId: 'missing' } },
    ]
    for (const json of bad) {
      await expectEnvelope(await importDoc(user, json), 400, 'validation_error')
    }
    const notJson = await server.call(user.token, '/api/v1/conversations/import', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"format":',
    })
    await expectEnvelope(notJson, 400, 'validation_error')
    expect(await conversationCount(user)).toBe(before)
  })

  it('puts every parent before its replies, whatever order the file lists them in', async () => {
    const user = await server.user()
    const imported = await importDoc(user, {
      format: 'parley.conversation',
      version: 1,
      exportedAt: '2026-12-01T10:00:00.000Z',
      conversation: { title: 'Out of order', createdAt: '2026-12-01T09:00:00.000Z' },
      messages: [
        {
          id: 'a',
          parentId: 'q',
          role: 'assistant',
          content: 'Answer',
          createdAt: '2026-12-01T09:00:01.000Z',
        },
        {
          id: 'q',
          parentId: null,
          role: 'user',
          content: 'Question',
          createdAt: '2026-12-01T09:00:00.000Z',
        },
      ],
    })
    expect(imported.status).toBe(201)
    const doc = await exportJson(user, ((await imported.json()) as { id: string }).id)
    const [question, answer] = doc.messages
    expect([question?.content, answer?.content]).toEqual(['Question', 'Answer'])
    expect(answer?.parentId).toBe(question?.id)
    expect(doc.conversation.activeLeafId).toBe(question?.id)
  })

  it('refuses a document over the request body limit with 413, and writes nothing', async () => {
    const user = await server.user()
    const valid = await exportJson(user, await branchedConversation(user))
    const before = await conversationCount(user)
    const [first, ...rest] = valid.messages
    if (!first) throw new Error('the conversation has messages')
    const huge = { ...valid, messages: [{ ...first, content: 'x'.repeat(1_100_000) }, ...rest] }
    await expectEnvelope(await importDoc(user, huge), 413, 'payload_too_large')
    expect(await conversationCount(user)).toBe(before)
  })

  it('refuses a document over the quota of messages, and writes nothing', async () => {
    const limited = await startTestServer({
      quotas: { conversations: 100, messagesPerConversation: 3, storedBytes: 1_000_000 },
    })
    try {
      const user = await limited.user()
      const before = await limited.call(user.token, '/api/v1/conversations')
      const doc = {
        format: 'parley.conversation',
        version: 1,
        exportedAt: '2026-12-01T10:00:00.000Z',
        conversation: { title: 'Too long', createdAt: '2026-12-01T09:00:00.000Z' },
        messages: ['a', 'b', 'c', 'd'].map((id, index, ids) => ({
          id,
          parentId: index === 0 ? null : ids[index - 1],
          role: index % 2 === 0 ? 'user' : 'assistant',
          content: `Message ${id}`,
          createdAt: '2026-12-01T09:00:00.000Z',
        })),
      }
      const refused = await limited.call(user.token, '/api/v1/conversations/import', {
        method: 'POST',
        json: doc,
      })
      await expectEnvelope(refused, 409, 'quota_exceeded')
      const after = await limited.call(user.token, '/api/v1/conversations')
      expect(((await after.json()) as { items: unknown[] }).items).toEqual(
        ((await before.json()) as { items: unknown[] }).items,
      )
    } finally {
      await limited.close()
    }
  })
})

describe('exporting all my data', () => {
  async function userData(user: User): Promise<UserDataExport> {
    const response = await server.call(user.token, '/api/v1/me/export')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="parley-data-\d{4}-\d{2}-\d{2}\.json"$/,
    )
    return userDataExport.parse(await response.json())
  }

  async function votedConversation(user: User, title: string) {
    const id = await newConversation(user, title)
    const { assistantMessage } = await send(user, id, { content: `${title}: a question` })
    const voted = await server.call(
      user.token,
      `/api/v1/messages/${assistantMessage.id}/feedback`,
      {
        method: 'PUT',
        json: { vote: 'up', comment: `${title} vote` },
      },
    )
    expect(voted.status).toBe(200)
    return { id, replyId: assistantMessage.id }
  }

  it('holds the caller’s profile, conversations, votes and usage, and nobody else’s', async () => {
    const alice = await server.user()
    const bob = await server.user()
    await server.call(alice.token, '/api/v1/me', {
      method: 'PATCH',
      json: { displayName: 'Alice', aboutMe: 'I teach history' },
    })
    const mine = await votedConversation(alice, 'Alice chat')
    const theirs = await votedConversation(bob, 'Bob chat')

    const data = await userData(alice)
    expect(data.profile).toMatchObject({ email: alice.email, displayName: 'Alice' })
    expect(data.customInstructions.aboutMe).toBe('I teach history')
    expect(data.conversations.map((c) => c.id)).toEqual([mine.id])
    expect(data.conversations[0]?.messages.map((m) => m.content)[0]).toBe('Alice chat: a question')
    expect(data.feedback.map((f) => [f.messageId, f.comment])).toEqual([
      [mine.replyId, 'Alice chat vote'],
    ])
    expect(data.usageEvents.length).toBeGreaterThan(0)
    expect(new Set(data.usageEvents.map((e) => e.conversationId))).toEqual(new Set([mine.id]))
    const text = JSON.stringify(data)
    expect(text).not.toContain(theirs.id)
    expect(text).not.toContain('Bob chat')
    expect(text).not.toContain(bob.id)
  })

  it('gives an admin only their own data, though admins may read every user’s votes', async () => {
    const admin = await server.user({ admin: true })
    const other = await votedConversation(await server.user(), 'Someone else')
    const own = await votedConversation(admin, 'Admin chat')
    const data = await userData(admin)
    expect(data.conversations.map((c) => c.id)).toEqual([own.id])
    expect(data.feedback.map((f) => f.messageId)).toEqual([own.replyId])
    expect(new Set(data.usageEvents.map((e) => e.conversationId))).toEqual(new Set([own.id]))
    expect(JSON.stringify(data)).not.toContain(other.id)
  })

  it('each exported conversation imports back', async () => {
    const user = await server.user()
    await branchedConversation(user, 'Exported whole')
    const [conversation] = (await userData(user)).conversations
    const imported = await importDoc(user, conversation)
    expect(imported.status).toBe(201)
    expect(await conversationCount(user)).toBe(2)
  })
})
