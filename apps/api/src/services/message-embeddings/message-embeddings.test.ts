import { appendMessage } from '@parley/db'
import { inspect } from '@parley/db/testing'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  embeddingModel,
  readEvents,
  startTestServer,
  type TestServer,
} from '../../testing/test-server.ts'
import { messageEmbedOperation } from '../question-embedding.ts'
import { createMessageEmbeddings } from './index.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ embeddings: true })
})
afterAll(() => server?.close())

type User = Awaited<ReturnType<TestServer['user']>>

/** One exchange in a new conversation; its messages are embedded once this resolves. */
async function exchange(user: User, question: string, answer: string) {
  const conversationId = await server.newConversation(user.token)
  server.fake.enqueue({ kind: 'text', text: answer }, { lastUserMessage: question })
  await readEvents(await server.sendStreamed(user.token, conversationId, { content: question }))
  await server.deps.messageEmbeddings?.idle()
  const [userMessage, reply] = await inspect.messages(server.db, conversationId)
  return { conversationId, userMessageId: userMessage?.id ?? '', replyId: reply?.id ?? '' }
}

const embeddedModels = (ids: string[]) => inspect.embeddedModels(server.db, ids)

const embedUsage = async (user: User) =>
  (await inspect.usageOfUser(server.db, user.id)).filter(
    (row) => row.promptName === messageEmbedOperation,
  )

interface Results {
  items: { kind: string; messageId?: string }[]
  semantic: boolean
}

async function searchFor(user: User, query: string): Promise<Results> {
  const response = await server.call(user.token, `/api/v1/search?${query}`)
  expect(response.status).toBe(200)
  return (await response.json()) as Results
}

describe('messages embedded after their turn', () => {
  it('embeds the question once, and the reply, and records what it cost', async () => {
    const user = await server.user()
    const question = 'Which wood suits a garden bench that stays outside all year?'
    const { userMessageId, replyId } = await exchange(user, question, 'Teak or larch.')
    expect(await embeddedModels([userMessageId, replyId])).toEqual({
      [userMessageId]: embeddingModel,
      [replyId]: embeddingModel,
    })
    // The question's embedding, made while its turn was prepared, is the message's own.
    expect(server.fake.requestsFor({ inputIncludes: question })).toHaveLength(1)
    const usage = await embedUsage(user)
    expect(usage).toHaveLength(2)
    expect(usage.every((row) => row.costMicroUsd > 0 && row.model === embeddingModel)).toBe(true)
  })

  it('lets search find a message by meaning, never another user’s', async () => {
    const user = await server.user()
    const other = await server.user()
    // "ears" and "early" share no keyword (english stems: ear, earli) but share meaning here.
    const question = 'My ears ring after the concert'
    const { userMessageId } = await exchange(user, question, 'Give them a rest.')
    const byWords = await searchFor(user, 'q=early&scope=messages')
    expect(byWords.semantic).toBe(true)
    expect(byWords.items[0]).toMatchObject({ kind: 'message', messageId: userMessageId })

    const theirs = await searchFor(other, `q=${encodeURIComponent(question)}`)
    expect(theirs.items).toEqual([])
  })

  it('embeds a search once: its next page is neither paid for again nor ranked by another vector', async () => {
    const user = await server.user()
    for (const n of [1, 2, 3]) {
      await exchange(user, `Kiln firing note ${n}: cone six glaze`, `Glaze note ${n}.`)
    }
    const query = 'kiln glaze'
    const first = (await searchFor(
      user,
      `q=${encodeURIComponent(query)}&scope=messages&limit=2`,
    )) as Results & { nextCursor: string | null }
    expect(first.semantic).toBe(true)
    expect(first.nextCursor).toBeTruthy()
    const second = await searchFor(
      user,
      `q=${encodeURIComponent(query)}&scope=messages&limit=2&cursor=${encodeURIComponent(first.nextCursor ?? '')}`,
    )
    expect(second.semantic).toBe(true)
    const ids = [...first.items, ...second.items].map((item) => item.messageId)
    expect(new Set(ids).size).toBe(ids.length)
    expect(server.fake.requestsFor({ inputIncludes: query })).toHaveLength(1)
    const searches = (await inspect.usageOfUser(server.db, user.id)).filter(
      (row) => row.promptName === 'search.embed',
    )
    expect(searches).toHaveLength(1)
  })

  it('leaves a failed embedding to the catch-up, which also embeds earlier messages', async () => {
    const user = await server.user()
    const answer = 'Sourdough wants a warm kitchen and patience.'
    server.fake.enqueue(
      { kind: 'status', status: 400, message: 'input rejected' },
      { inputIncludes: answer },
    )
    const { conversationId, userMessageId, replyId } = await exchange(
      user,
      'How do I keep a bread starter alive?',
      answer,
    )
    const [, reply] = await inspect.messages(server.db, conversationId)
    expect(reply?.status).toBe('complete')
    // The question's vector was already made (and paid for): it is kept.
    expect(await embeddedModels([userMessageId, replyId])).toEqual({
      [userMessageId]: embeddingModel,
    })

    // A message written while semantic search was off: no turn ever embedded it.
    const earlier = await server.db.withUser(user.claims, (tx) =>
      appendMessage(tx, { conversationId, role: 'user', content: 'Rye flour or wheat?' }),
    )
    expect(await server.deps.messageEmbeddings?.catchUp()).toBeGreaterThanOrEqual(2)
    expect(await embeddedModels([userMessageId, replyId, earlier.message.id])).toEqual({
      [userMessageId]: embeddingModel,
      [replyId]: embeddingModel,
      [earlier.message.id]: embeddingModel,
    })
    expect(await embedUsage(user)).toHaveLength(2)
    // A second pass finds nothing of this user's left to embed.
    await server.deps.messageEmbeddings?.catchUp()
    expect(server.fake.requestsFor({ inputIncludes: 'Rye flour or wheat?' })).toHaveLength(1)
  })

  it('is caught up by one instance at a time: instances started together pay for a backlog once', async () => {
    const user = await server.user()
    const conversationId = await server.newConversation(user.token)
    const text = 'Which glue holds oak to steel outdoors?'
    const earlier = await server.db.withUser(user.claims, (tx) =>
      appendMessage(tx, { conversationId, role: 'user', content: text }),
    )
    const embedder = server.deps.files.embedder
    if (!embedder) throw new Error('the test server has no embedder')
    // A second instance on the same database, as a deploy starts them side by side.
    const second = createMessageEmbeddings({
      db: server.db,
      embedder,
      logger: pino({ level: 'silent' }),
    })
    // The first pass's call is answered late, so the second asks while the first is passing.
    server.fake.enqueue({ kind: 'text', firstByteDelayMs: 3_000 }, { inputIncludes: text })
    let firstDone = false
    const first = server.deps.messageEmbeddings?.catchUp().finally(() => {
      firstDone = true
    })
    await vi.waitFor(
      () => expect(server.fake.requestsFor({ inputIncludes: text })).toHaveLength(1),
      { timeout: 10_000, interval: 5 },
    )
    expect(await second.catchUp()).toBe(0)
    expect(firstDone).toBe(false)
    expect(await first).toBeGreaterThanOrEqual(1)
    expect(await embeddedModels([earlier.message.id])).toEqual({
      [earlier.message.id]: embeddingModel,
    })
    // Once the first is done, the second passes and finds nothing left to pay for.
    expect(await second.catchUp()).toBe(0)
    expect(server.fake.requestsFor({ inputIncludes: text })).toHaveLength(1)
    expect(await embedUsage(user)).toHaveLength(1)
    await second.stop()
  })
})
