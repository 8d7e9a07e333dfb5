import { listFileChunks } from '@parley/db'
import { inspect } from '@parley/db/testing'
import type { Citation } from '@parley/schema/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processedFile, uploadedFileId } from '../testing/files.ts'
import { readEvents, startTestServer, type TestServer } from '../testing/test-server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server?.close())

type User = Awaited<ReturnType<TestServer['user']>>

const handbook = `# Staff handbook

## Opening hours

The office opens at half past eight and closes at six. On Fridays it closes at four.

## Parking

Visitors park on level two of the garage behind the library; staff use level three.
`

async function readyFile(user: User, name: string, text: string): Promise<string> {
  const id = await uploadedFileId(server, user.token, name, text)
  expect(await processedFile(server, user.token, id)).toMatchObject({ status: 'ready' })
  return id
}

async function scopedConversation(user: User, scope: unknown): Promise<string> {
  const id = await server.newConversation(user.token)
  const response = await server.call(user.token, `/api/v1/conversations/${id}/files`, {
    method: 'PUT',
    json: scope,
  })
  expect(response.status).toBe(200)
  expect(await response.json()).toMatchObject({ id, fileScope: scope })
  return id
}

/** The system prompt the model was sent for the turn that asked `question`. */
function systemPromptFor(question: string): string {
  const [request] = server.fake.requestsFor({ lastUserMessage: question, stream: true })
  const body = request?.body as { messages: { role: string; content: string }[] }
  return body.messages.find((m) => m.role === 'system' || m.role === 'developer')?.content ?? ''
}

describe('a conversation that reads files', () => {
  it('gives the model the best passages and stores the citations of its reply', async () => {
    const user = await server.user()
    const fileId = await readyFile(user, 'handbook.md', handbook)
    const conversationId = await scopedConversation(user, { mode: 'files', fileIds: [fileId] })
    const question = 'Where should a visitor leave their car in the garage?'
    server.fake.enqueue(
      { kind: 'text', text: 'On level two of the garage [1].' },
      { lastUserMessage: question },
    )

    const events = await readEvents(
      await server.sendStreamed(user.token, conversationId, { content: question }),
    )
    const done = events.find((e) => e.event === 'done')?.data as {
      assistantMessage: { id: string; citations: Citation[] }
    }
    const citations = done.assistantMessage.citations
    expect(citations).toEqual([
      expect.objectContaining({ index: 1, fileId, fileName: 'handbook.md', page: null }),
    ])
    expect(citations[0]?.headingPath).toContain('Parking')

    const chunks = await server.db.asService((tx) => listFileChunks(tx, fileId))
    for (const citation of citations) {
      const chunk = chunks.find((c) => c.id === citation.chunkId)
      expect(chunk?.content).toContain(citation.snippet)
    }
    expect(systemPromptFor(question)).toContain('[1] ')
    expect(systemPromptFor(question)).toContain('level two of the garage')

    const stored = (await inspect.messages(server.db, conversationId)).find(
      (m) => m.id === done.assistantMessage.id,
    )
    expect(stored?.citations).toEqual(citations)
  })

  it('stores only the citations made outside code', async () => {
    const user = await server.user()
    const fileId = await readyFile(user, 'handbook.md', handbook)
    const conversationId = await scopedConversation(user, { mode: 'files', fileIds: [fileId] })
    const question = 'When does the office open, and where do visitors park?'
    server.fake.enqueue(
      {
        kind: 'text',
        text: 'Visitors use level two [1].\n\n```py\nopening = hours[2]\n```\n\nSee `hours[2]` too.',
      },
      { lastUserMessage: question },
    )
    const events = await readEvents(
      await server.sendStreamed(user.token, conversationId, { content: question }),
    )
    expect(systemPromptFor(question)).toContain('[2] ')
    const done = events.find((e) => e.event === 'done')?.data as {
      assistantMessage: { id: string; citations: Citation[] }
    }
    expect(done.assistantMessage.citations.map((c) => c.index)).toEqual([1])
    const stored = (await inspect.messages(server.db, conversationId)).find(
      (m) => m.id === done.assistantMessage.id,
    )
    expect(stored?.citations).toEqual(done.assistantMessage.citations)
  })

  it('reads every file of the caller’s with scope all, and none with scope none', async () => {
    const user = await server.user()
    await readyFile(user, 'handbook.md', handbook)
    const all = await scopedConversation(user, { mode: 'all' })
    const asked = 'When does the office close on Fridays?'
    server.fake.enqueue({ kind: 'text', text: 'At four [1].' }, { lastUserMessage: asked })
    await readEvents(await server.sendStreamed(user.token, all, { content: asked }))
    expect(systemPromptFor(asked)).toContain('closes at four')

    const none = await server.newConversation(user.token)
    const unasked = 'When does the office close on a Friday afternoon?'
    server.fake.enqueue({ kind: 'text', text: 'I do not know.' }, { lastUserMessage: unasked })
    const events = await readEvents(
      await server.sendStreamed(user.token, none, { content: unasked }),
    )
    expect(systemPromptFor(unasked)).not.toContain('closes at four')
    const done = events.find((e) => e.event === 'done')?.data as {
      assistantMessage: { citations: Citation[] }
    }
    expect(done.assistantMessage.citations).toEqual([])
  })

  it('never gives one user’s passages to another user’s turn, even with scope all', async () => {
    const owner = await server.user()
    const other = await server.user()
    await readyFile(owner, 'handbook.md', handbook)
    const conversationId = await scopedConversation(other, { mode: 'all' })
    const question = 'Visitors park on level two of the garage behind the library?'
    server.fake.enqueue({ kind: 'text', text: 'No idea.' }, { lastUserMessage: question })
    await readEvents(await server.sendStreamed(other.token, conversationId, { content: question }))
    expect(systemPromptFor(question)).not.toContain('garage behind the library')
  })
})
