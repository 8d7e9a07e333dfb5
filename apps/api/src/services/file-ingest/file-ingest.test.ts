import { randomUUID } from 'node:crypto'
import { beginFileIngest, createFile, listFileChunks } from '@parley/db'
import { inspect } from '@parley/db/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processedFile, uploadedFileId } from '../../testing/files.ts'
import { embeddingModel, startTestServer, type TestServer } from '../../testing/test-server.ts'
import { originalKey } from '../file-storage/index.ts'
import { embedOperation, maxIngestAttempts } from './index.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ embeddings: true })
})
afterAll(() => server?.close())

type User = Awaited<ReturnType<TestServer['user']>>

const manual = `# Espresso machine

## Descaling

Run the descaling programme every two months with citric acid; hard water needs it monthly.

## Milk frothing

Purge the steam wand before and after frothing so that milk never dries inside it.
`

/**
 * A file row and its original as an upload leaves them, never queued, after `attempts` tries
 * that each ended in a crash.
 */
async function leftProcessing(user: User, attempts: number): Promise<string> {
  const id = randomUUID()
  const storageKey = originalKey(user.id, id)
  const bytes = new TextEncoder().encode(manual)
  await server.deps.files.storage.put(storageKey, bytes, { contentType: 'text/markdown' })
  await server.db.withUser(user.claims, async (tx) => {
    await createFile(tx, {
      id,
      name: 'manual.md',
      kind: 'markdown',
      mimeType: 'text/markdown',
      sizeBytes: bytes.byteLength,
      sha256: '0'.repeat(64),
      storageKey,
    })
    for (let i = 0; i < attempts; i++) await beginFileIngest(tx, id)
  })
  return id
}

describe('reading files with semantic search on', () => {
  it('stores the passages with embeddings and records what embedding them cost', async () => {
    const user = await server.user()
    const id = await uploadedFileId(server, user.token, 'manual.md', manual)
    const file = await processedFile(server, user.token, id)
    expect(file).toMatchObject({ status: 'ready', embedded: true })

    const chunks = await server.db.asService((tx) => listFileChunks(tx, id))
    expect(chunks.length).toBe(file.chunkCount)
    expect(chunks.every((chunk) => chunk.embeddingModel === embeddingModel)).toBe(true)

    const usage = (await inspect.usageOfUser(server.db, user.id)).filter(
      (row) => row.promptName === embedOperation,
    )
    expect(usage).toEqual([
      expect.objectContaining({ model: embeddingModel, status: 'ok', conversationId: null }),
    ])
    expect(usage[0]?.inputTokens).toBeGreaterThan(0)
    expect(usage[0]?.costMicroUsd).toBeGreaterThan(0)

    const capabilities = await server.call(user.token, '/api/v1/files/capabilities')
    expect(await capabilities.json()).toMatchObject({ semanticSearch: true, embeddingModel })
  })

  it('embeds the question of a turn and of a search, and records those costs too', async () => {
    const user = await server.user()
    const id = await uploadedFileId(server, user.token, 'manual.md', manual)
    await processedFile(server, user.token, id)
    const conversationId = await server.newConversation(user.token)
    await server.call(user.token, `/api/v1/conversations/${conversationId}/files`, {
      method: 'PUT',
      json: { mode: 'files', fileIds: [id] },
    })
    const question = 'How often should I descale when the water is hard?'
    server.fake.enqueue({ kind: 'text', text: 'Monthly [1].' }, { lastUserMessage: question })
    const sent = await server.sendStreamed(user.token, conversationId, { content: question })
    await sent.text()
    const [request] = server.fake.requestsFor({ lastUserMessage: question, stream: true })
    expect(JSON.stringify(request?.body)).toContain('hard water needs it monthly')
    // The question itself was embedded, for the semantic side of the retrieval.
    const embedded = server.fake.requests.filter((r) => r.path === '/v1/embeddings')
    expect(embedded.some((r) => r.inputs.length === 1 && r.inputs[0] === question)).toBe(true)

    const found = await server.call(user.token, '/api/v1/search?q=steam%20wand&scope=files')
    const results = (await found.json()) as { semantic: boolean; items: { kind: string }[] }
    expect(results.semantic).toBe(true)
    expect(results.items[0]).toMatchObject({ kind: 'file', fileId: id })

    const operations = (await inspect.usageOfUser(server.db, user.id)).map((row) => row.promptName)
    expect(operations).toEqual(expect.arrayContaining(['chat.retrieve', 'search.embed']))
  })

  it('fails a file whose passages cannot be embedded, keeping none of them', async () => {
    const user = await server.user()
    const text = '# Broken\n\nThe embeddings service refuses this zanzibar passage.\n'
    server.fake.enqueue({ kind: 'status', status: 400 }, { inputIncludes: 'zanzibar passage' })
    const id = await uploadedFileId(server, user.token, 'refused.md', text)
    const file = await processedFile(server, user.token, id)
    expect(file).toMatchObject({ status: 'failed', chunkCount: 0, embedded: false })
    expect(file.error).toMatch(/embeddings service/)
    expect(await server.db.asService((tx) => listFileChunks(tx, id))).toEqual([])
    const usage = await inspect.usageOfUser(server.db, user.id)
    expect(usage.filter((row) => row.promptName === embedOperation)).toEqual([])
  })
})

describe('files a crash left processing', () => {
  it('are read again at start, and given up after too many tries', async () => {
    const user = await server.user()
    const again = await leftProcessing(user, 1)
    const givenUp = await leftProcessing(user, maxIngestAttempts)

    await server.deps.files.ingest.recover()
    expect(await processedFile(server, user.token, again)).toMatchObject({ status: 'ready' })
    const failed = await processedFile(server, user.token, givenUp)
    expect(failed).toMatchObject({ status: 'failed', chunkCount: 0 })
    expect(failed.error).toBeTruthy()
  })
})
