import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setBudgetOverride } from '@parley/db'
import { inspect } from '@parley/db/testing'
import { type Embedder, usdToMicros } from '@parley/llm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processedFile, uploadedFileId } from '../testing/files.ts'
import {
  embeddingModel,
  eventually,
  fakeEmbedder,
  readEvents,
  startTestServer,
  streamedReplyId,
  type TestServer,
} from '../testing/test-server.ts'
import { createFileStorage } from './file-storage/index.ts'
import { messageEmbedOperation } from './question-embedding.ts'
import { retrieveOperation } from './retrieval.ts'

interface Gate {
  /** Resolves once an embeddings call holding the marker is waiting at the gate. */
  reached: Promise<void>
  release(): void
}

/**
 * The real embedder (the fake upstream, through the SDK), except that calls whose texts hold a
 * held marker wait until the test releases them: the test decides when an embedding arrives.
 */
function gatedEmbedder(inner: Embedder) {
  const gates = new Map<string, { reached: () => void; released: Promise<void> }>()
  const ready = new Map<string, Awaited<ReturnType<Embedder['embed']>>>()
  const embedder: Embedder = {
    model: inner.model,
    dimensions: inner.dimensions,
    async embed(texts, options) {
      const made = texts.length === 1 ? ready.get(texts[0] ?? '') : undefined
      if (made) return made
      const held = [...gates].find(([marker]) => texts.some((text) => text.includes(marker)))
      if (!held) return inner.embed(texts, options)
      held[1].reached()
      await held[1].released
      // Released after any timeout of the caller's: what arrives late is still an embedding.
      return inner.embed(texts)
    },
  }
  const hold = (marker: string): Gate => {
    let reached = () => {}
    let release = () => {}
    const gate: Gate = {
      reached: new Promise<void>((resolve) => {
        reached = resolve
      }),
      release: () => release(),
    }
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    gates.set(marker, { reached, released })
    return gate
  }
  /** Embeds `text` now; asked again, the embedder answers at once (before any database work). */
  const prepare = async (text: string) => {
    ready.set(text, await inner.embed([text]))
  }
  return { embedder, hold, prepare }
}

let server: TestServer
let filesDir: string
let gated: ReturnType<typeof gatedEmbedder>
beforeAll(async () => {
  filesDir = await mkdtemp(path.join(tmpdir(), 'parley-test-question-'))
  let fakeBaseUrl = ''
  gated = gatedEmbedder(fakeEmbedder(() => fakeBaseUrl))
  server = await startTestServer({
    files: {
      storage: createFileStorage({ kind: 'local', directory: filesDir }),
      embedder: gated.embedder,
    },
  })
  fakeBaseUrl = server.fake.openaiBaseUrl
})
afterAll(async () => {
  await server?.close()
  await rm(filesDir, { recursive: true, force: true })
})

type User = Awaited<ReturnType<TestServer['user']>>

const handbook = `# Staff handbook

## Parking

Visitors park on level two of the garage behind the library; staff use level three.
`

async function conversationReadingFiles(user: User): Promise<string> {
  const fileId = await uploadedFileId(server, user.token, 'handbook.md', handbook)
  expect(await processedFile(server, user.token, fileId)).toMatchObject({ status: 'ready' })
  const id = await server.newConversation(user.token)
  const response = await server.call(user.token, `/api/v1/conversations/${id}/files`, {
    method: 'PUT',
    json: { mode: 'all' },
  })
  expect(response.status).toBe(200)
  return id
}

function systemPromptFor(question: string): string {
  const [request] = server.fake.requestsFor({ lastUserMessage: question, stream: true })
  const body = request?.body as { messages: { role: string; content: string }[] }
  return body.messages.find((m) => m.role === 'system' || m.role === 'developer')?.content ?? ''
}

/** Sets the user's monthly budget, as an admin does. */
async function budgetSetter(user: User) {
  const admin = await server.user({ admin: true })
  return (limitMicroUsd: number) =>
    server.db.withUser(admin.claims, (tx) =>
      setBudgetOverride(tx, user.id, { limitMicroUsd, period: 'monthly' }),
    )
}

const operations = async (user: User) =>
  (await inspect.usageOfUser(server.db, user.id)).map((row) => row.promptName)

describe('the question’s embedding', () => {
  it('is awaited with the turn’s messages already stored, and paid for once', async () => {
    const user = await server.user()
    const conversationId = await conversationReadingFiles(user)
    const question = 'Where does a visitor to the zanzibar office leave the car?'
    const gate = gated.hold('zanzibar')
    server.fake.enqueue({ kind: 'text', text: 'On level two [1].' }, { lastUserMessage: question })
    const sent = server.sendStreamed(user.token, conversationId, { content: question })
    await gate.reached
    // Read from another transaction while the embedding is out: the turn's is committed.
    const stored = await inspect.messages(server.db, conversationId)
    expect(stored.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'streaming'],
    ])
    expect(server.fake.requestsFor({ lastUserMessage: question, stream: true })).toEqual([])

    gate.release()
    const events = await readEvents(await sent)
    expect(events.at(-1)).toMatchObject({ event: 'done' })
    expect(systemPromptFor(question)).toContain('level two of the garage')
    await server.deps.messageEmbeddings?.idle()
    expect(server.fake.requestsFor({ inputIncludes: question })).toHaveLength(1)
    const [userMessage, reply] = stored
    expect(
      await inspect.embeddedModels(server.db, [userMessage?.id ?? '', reply?.id ?? '']),
    ).toEqual({ [userMessage?.id ?? '']: embeddingModel, [reply?.id ?? '']: embeddingModel })
    const paid = await operations(user)
    expect(paid.filter((name) => name === retrieveOperation)).toHaveLength(1)
    expect(paid.filter((name) => name === messageEmbedOperation)).toHaveLength(1)
  })

  it('of a regenerate is also awaited outside the turn’s transaction', async () => {
    const user = await server.user()
    const conversationId = await conversationReadingFiles(user)
    const question = 'Which level of the quokka garage is for staff?'
    server.fake.enqueue(
      { kind: 'text', text: 'Level three [1].', times: 2 },
      { lastUserMessage: question },
    )
    const first = await readEvents(
      await server.sendStreamed(user.token, conversationId, { content: question }),
    )
    const replyId = streamedReplyId(first)
    const gate = gated.hold('quokka')
    const again = server.call(
      user.token,
      `/api/v1/conversations/${conversationId}/messages/${replyId}/regenerate`,
      { method: 'POST', json: {}, headers: { accept: 'text/event-stream' } },
    )
    await gate.reached
    const stored = await inspect.messages(server.db, conversationId)
    expect(stored.map((m) => m.status)).toEqual(['complete', 'complete', 'streaming'])
    gate.release()
    const events = await readEvents(await again)
    expect(events.at(-1)).toMatchObject({ event: 'done' })
    const retrieved = (await operations(user)).filter((name) => name === retrieveOperation)
    expect(retrieved).toHaveLength(2)
  })

  it('read after the commit and costing more than the budget has left ends the turn before any call, freeing what it reserved', async () => {
    const user = await server.user()
    const conversationId = await conversationReadingFiles(user)
    const setLimit = await budgetSetter(user)
    const question = 'Where may a wombat visitor park, on which level of the garage?'
    // What the turn needs without passages: the whole budget it gets.
    await setLimit(0)
    const refused = await server.call(
      user.token,
      `/api/v1/conversations/${await server.newConversation(user.token)}/messages`,
      {
        method: 'POST',
        json: { content: question },
      },
    )
    expect(refused.status).toBe(402)
    const needed = (await refused.json()) as { error: { details: { requiredUsd: string } } }
    // The refused turn's question embedding was paid for: it counts, once recorded.
    const spent = await eventually(async () => {
      const rows = await inspect.usageOfUser(server.db, user.id)
      return rows.length > 0 && rows.reduce((sum, row) => sum + row.costMicroUsd, 0)
    })
    await setLimit(usdToMicros(needed.error.details.requiredUsd) + spent)

    const gate = gated.hold('wombat visitor')
    const sent = server.call(user.token, `/api/v1/conversations/${conversationId}/messages`, {
      method: 'POST',
      json: { content: question },
      headers: { accept: 'text/event-stream' },
    })
    await gate.reached
    gate.release()
    const response = await sent
    expect(response.status).toBe(402)
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'budget_exceeded',
    )
    const stored = await inspect.messages(server.db, conversationId)
    expect(stored.map((m) => [m.role, m.status, m.error?.code ?? null])).toEqual([
      ['user', 'complete', null],
      ['assistant', 'error', 'budget_exceeded'],
    ])
    expect(server.fake.requestsFor({ lastUserMessage: question, stream: true })).toEqual([])
    const budget = (await (await server.call(user.token, '/api/v1/usage/budget')).json()) as {
      reservedUsd: string
    }
    expect(budget.reservedUsd).toBe('0')
  })

  it('refused in the transaction for its passages still records what its embedding cost, once', async () => {
    const user = await server.user()
    const conversationId = await conversationReadingFiles(user)
    const setLimit = await budgetSetter(user)
    const question = 'Which garage level suits a numbat delivery van?'
    // Its embedding is there before the context step: passages are read in the transaction.
    await gated.prepare(question)
    const embeddingsOf = async (requestId: string) =>
      (await inspect.usageOfUser(server.db, user.id)).filter(
        (row) => row.requestId === requestId && row.provider === 'embeddings',
      )
    const refusedSend = async (conversation: string) => {
      const response = await server.call(
        user.token,
        `/api/v1/conversations/${conversation}/messages`,
        {
          method: 'POST',
          json: { content: question },
        },
      )
      expect(response.status).toBe(402)
      const { error } = (await response.json()) as {
        error: { code: string; requestId: string; details: { requiredUsd: string } }
      }
      expect(error.code).toBe('budget_exceeded')
      await eventually(async () => (await embeddingsOf(error.requestId)).length > 0)
      return error
    }
    await setLimit(0)
    const probe = await refusedSend(await server.newConversation(user.token))
    const spent = (await inspect.usageOfUser(server.db, user.id)).reduce(
      (sum, row) => sum + row.costMicroUsd,
      0,
    )
    // Enough for the question without passages, not with them.
    await setLimit(usdToMicros(probe.details.requiredUsd) + spent)

    const refused = await refusedSend(conversationId)
    expect(await inspect.messages(server.db, conversationId)).toEqual([])
    expect(await embeddingsOf(refused.requestId)).toHaveLength(1)
    expect(await embeddingsOf(probe.requestId)).toHaveLength(1)
  })
})
