import { randomUUID } from 'node:crypto'
import { claimFileIngest, createFile, deleteFile, getFile, listFileChunks } from '@parley/db'
import { inspect } from '@parley/db/testing'
import { DocumentReader } from '@parley/documents'
import { createEmbedder, defaultRetryPolicy, type Embedder } from '@parley/llm'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processedFile, uploadedFileId } from '../../testing/files.ts'
import {
  embeddingModel,
  eventually,
  startTestServer,
  type TestServer,
} from '../../testing/test-server.ts'
import { originalKey } from '../file-storage/index.ts'
import { embedOperation, maxIngestAttempts } from './index.ts'
import { ingestFile } from './ingest-file.ts'

let server: TestServer
const reader = new DocumentReader({ size: 1 })
beforeAll(async () => {
  server = await startTestServer({ embeddings: true })
})
afterAll(async () => {
  await reader.close()
  await server?.close()
})

type User = Awaited<ReturnType<TestServer['user']>>

const manual = `# Espresso machine

## Descaling

Run the descaling programme every two months with citric acid; hard water needs it monthly.

## Milk frothing

Purge the steam wand before and after frothing so that milk never dries inside it.
`

/** What the clock does to a claim its server stopped renewing: its lease runs out. */
const expireClaim = (fileId: string) =>
  server.db.asOwner((sql) =>
    sql.query(
      `update public.files set ingest_lease_until = now() - interval '1 second'
       where id = $1 and ingest_owner is not null`,
      [fileId],
    ),
  )

const fileRow = (user: User, fileId: string) =>
  server.db.withUser(user.claims, (tx) => getFile(tx, fileId))

const embeddingRequests = (text: string) =>
  server.fake.requestsFor({ inputIncludes: text }).filter((r) => r.path === '/v1/embeddings')

const fileEmbeddings = async (user: User) =>
  (await inspect.usageOfUser(server.db, user.id)).filter((row) => row.promptName === embedOperation)

/**
 * A file row and its original as an upload leaves them, never queued, after `attempts` tries
 * that each ended in a crash (the last one's claim still holding, as a stopped server leaves it).
 */
async function leftProcessing(user: User, attempts: number, text = manual): Promise<string> {
  const id = randomUUID()
  const storageKey = originalKey(user.id, id)
  const bytes = new TextEncoder().encode(text)
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
  })
  for (let i = 0; i < attempts; i++) {
    await expireClaim(id)
    const claim = { owner: randomUUID(), leaseSeconds: 600, maxAttempts: maxIngestAttempts }
    await server.db.withUser(user.claims, (tx) => claimFileIngest(tx, id, claim))
  }
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

/** Reads a file left processing here and now, one passage per embedding request. */
async function ingestOnePassagePerRequest(
  user: User,
  fileId: string,
  wrap: (embedder: Embedder) => Embedder = (embedder) => embedder,
): Promise<void> {
  const embedder = createEmbedder({
    baseURL: server.fake.openaiBaseUrl,
    apiKey: 'test-openai-key',
    model: embeddingModel,
    batchSize: 1,
    retry: { ...defaultRetryPolicy, baseDelayMs: 5, maxDelayMs: 20 },
  })
  const deps = {
    db: server.db,
    storage: server.deps.files.storage,
    reader,
    embedder: wrap(embedder),
    logger: pino({ level: 'silent' }),
  }
  const job = {
    fileId,
    ownerId: user.id,
    storageKey: originalKey(user.id, fileId),
    name: 'manual.md',
  }
  const claim = { owner: randomUUID(), leaseSeconds: 600, maxAttempts: maxIngestAttempts }
  await ingestFile(deps, job, claim, new AbortController().signal)
}

describe('what embedding a file cost', () => {
  it('is recorded for the requests answered before a later one failed', async () => {
    const user = await server.user()
    const word = `okapi${randomUUID().slice(0, 8)}`
    const paid = `giraffe${randomUUID().slice(0, 8)}`
    const text = `# Zoo\n\n## Giraffes\n\nThe ${paid} sleeps standing.\n\n## Okapis\n\nThe ${word} hides in the forest.\n`
    server.fake.enqueue({ kind: 'status', status: 400 }, { inputIncludes: word })
    const id = await leftProcessing(user, 0, text)
    await ingestOnePassagePerRequest(user, id)

    expect(await fileRow(user, id)).toMatchObject({ status: 'failed', chunkCount: 0 })
    expect(await server.db.asService((tx) => listFileChunks(tx, id))).toEqual([])
    expect(embeddingRequests(paid).map((r) => r.state)).toEqual(['completed'])
    const usage = await fileEmbeddings(user)
    expect(usage.length).toBeGreaterThan(0)
    expect(usage.every((row) => row.costMicroUsd > 0 && row.requestId === `ingest:${id}`)).toBe(
      true,
    )
  })

  it('is recorded when the file is deleted while it was embedded', async () => {
    const user = await server.user()
    const id = await leftProcessing(user, 0)
    await ingestOnePassagePerRequest(user, id, (embedder) => ({
      model: embedder.model,
      dimensions: embedder.dimensions,
      async embed(texts, options) {
        const result = await embedder.embed(texts, options)
        await server.db.withUser(user.claims, (tx) => deleteFile(tx, id))
        return result
      },
    }))

    expect(await fileRow(user, id)).toBeNull()
    const usage = await fileEmbeddings(user)
    expect(usage.length).toBeGreaterThan(0)
    expect(usage.reduce((sum, row) => sum + row.costMicroUsd, 0)).toBeGreaterThan(0)
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

describe('a file another server is reading', () => {
  it('is left to it by the sweep, and taken over once its claim runs out', async () => {
    const user = await server.user()
    const word = `quokka${randomUUID().slice(0, 8)}`
    const id = await leftProcessing(user, 1, `# Field notes\n\nThe ${word} was seen at dawn.\n`)

    await server.deps.files.ingest.sweep()
    await server.deps.files.ingest.idle()
    expect(await fileRow(user, id)).toMatchObject({ status: 'processing', attempts: 1 })
    expect(embeddingRequests(word)).toEqual([])

    await expireClaim(id)
    await server.deps.files.ingest.sweep()
    await server.deps.files.ingest.idle()
    expect(await fileRow(user, id)).toMatchObject({
      status: 'ready',
      attempts: 2,
      ingestOwner: null,
    })
    expect(embeddingRequests(word)).toHaveLength(1)
    expect(await fileEmbeddings(user)).toHaveLength(1)
  })

  it('stops this server reading it once another took it over, and records nothing', async () => {
    const user = await server.user()
    const word = `wombat${randomUUID().slice(0, 8)}`
    server.fake.enqueue({ kind: 'hang' }, { inputIncludes: word })
    const id = await uploadedFileId(server, user.token, 'notes.md', `# Notes\n\nA ${word}.\n`)
    await eventually(() => embeddingRequests(word).length === 1)
    const other = randomUUID()
    await server.db.asOwner((sql) =>
      sql.query(
        `update public.files set ingest_owner = $2,
           ingest_lease_until = now() + interval '10 minutes', attempts = attempts + 1
         where id = $1`,
        [id, other],
      ),
    )

    await server.deps.files.ingest.renew()
    await server.deps.files.ingest.idle()
    expect(await fileRow(user, id)).toMatchObject({ status: 'processing', ingestOwner: other })
    // The paid call itself was cancelled.
    await eventually(() => embeddingRequests(word)[0]?.state === 'disconnected')
    expect(await fileEmbeddings(user)).toEqual([])
    expect(await server.db.asService((tx) => listFileChunks(tx, id))).toEqual([])
  })
})
