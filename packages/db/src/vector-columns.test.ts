import { createHash, randomUUID } from 'node:crypto'
import type { FileIngest } from '@parley/schema/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Tx } from './client.ts'
import { migrate } from './migrate.ts'
import { createConversation } from './repositories/conversations.ts'
import { completeFileIngest, createFile, getFile } from './repositories/files.ts'
import { retrieveChunks, search, vectorSearchAvailable } from './repositories/knowledge.ts'
import { storeMessageEmbeddings } from './repositories/message-embeddings.ts'
import { appendMessage } from './repositories/messages.ts'
import { testDatabaseUrl } from './testing/env.ts'
import { createTestDatabase, createTestUser, type TestUser } from './testing/index.ts'

// A database migrated while the server lacked pgvector: the extension dropped from a migrated
// clone takes the vector columns and indexes with it, as if the migrations had run without it.
// On a shared TEST_DATABASE_URL the extension cannot be dropped, so this runs embedded only.
let db: Database
beforeAll(async () => {
  if (testDatabaseUrl) return
  db = await createTestDatabase()
  await db.asOwner((sql) => sql.exec('drop extension vector cascade'))
})
afterAll(() => db?.close())

const as = <T>(user: TestUser, fn: (tx: Tx) => Promise<T>) => db.withUser(user.claims, fn)

const vectorColumns = () =>
  db.asOwner((sql) =>
    sql.query<{ table: string }>(
      `select c.relname as table from pg_attribute a join pg_class c on c.oid = a.attrelid
       where c.relname in ('document_chunks', 'message_embeddings') and a.attname = 'embedding'
         and not a.attisdropped order by 1`,
    ),
  )

const vectorIndexes = () =>
  db.asOwner((sql) =>
    sql.query<{ n: number }>(
      `select count(*)::int as n from pg_indexes
       where schemaname = 'public' and indexname like '%\\_embedding\\_%\\_idx'`,
    ),
  )

/** A ready file of the user's with passages embedded by `test-embed`. */
async function embeddedFile(user: TestUser): Promise<string> {
  const ingest: FileIngest = {
    embeddingModel: 'test-embed',
    chunks: [
      { content: 'Solar panels convert sunlight to power.', tokenCount: 6, embedding: [0, 1, 0] },
      { content: 'Photovoltaic cells on the roof.', tokenCount: 5, embedding: [1, 0, 0] },
    ],
  }
  return as(user, async (tx) => {
    const file = await createFile(tx, {
      name: 'energy.md',
      kind: 'markdown',
      mimeType: 'text/markdown',
      sizeBytes: 10,
      sha256: createHash('sha256').update(randomUUID()).digest('hex'),
      storageKey: `files/${randomUUID()}`,
    })
    await completeFileIngest(tx, file.id, ingest)
    return file.id
  })
}

const semanticQuery = { embedding: [1, 0, 0], embeddingModel: 'test-embed' }

describe.skipIf(testDatabaseUrl)('pgvector enabled after the migrations', () => {
  it('keeps files and search working by keyword until the start step adds its columns', async () => {
    expect(await vectorColumns()).toEqual([])
    const user = await createTestUser(db)
    const keywordOnly = async () => {
      const fileId = await embeddedFile(user)
      expect(await as(user, (tx) => getFile(tx, fileId))).toMatchObject({
        status: 'ready',
        chunkCount: 2,
        embeddingModel: null,
      })
      expect(await db.asService(vectorSearchAvailable)).toBe(false)
      const found = await as(user, (tx) =>
        search(tx, { q: 'solar', scope: 'files', ...semanticQuery }),
      )
      expect(found).toMatchObject({ semantic: false, items: [{ fileId }] })
    }
    await keywordOnly()
    // The operator enables pgvector; until the next start, its type exists but not the columns.
    await db.asOwner((sql) => sql.exec('create extension vector with schema extensions'))
    await db.asOwner((sql) => sql.exec('delete from public.files'))
    await keywordOnly()
  })

  it('adds the vector columns and indexes at start, once pgvector is there', async () => {
    // pgvector is available to the server but not created: the start step creates it too.
    await db.asOwner((sql) => sql.exec('drop extension vector cascade'))
    const first = await migrate(db)
    expect(first).toMatchObject({ applied: [], missingExtensions: [] })
    expect(await vectorColumns()).toEqual([
      { table: 'document_chunks' },
      { table: 'message_embeddings' },
    ])
    expect(await vectorIndexes()).toEqual([{ n: 8 }])
    expect(await migrate(db)).toMatchObject({ applied: [], missingExtensions: [] })
    expect(await vectorIndexes()).toEqual([{ n: 8 }])

    const user = await createTestUser(db)
    const fileId = await embeddedFile(user)
    expect(await as(user, (tx) => getFile(tx, fileId))).toMatchObject({
      status: 'ready',
      embeddingModel: 'test-embed',
    })
    const retrieved = await as(user, (tx) =>
      retrieveChunks(tx, { query: 'solar panels', ...semanticQuery }),
    )
    expect(retrieved.map((c) => [c.content, c.keywordRank, c.vectorRank])).toEqual([
      ['Solar panels convert sunlight to power.', 1, 2],
      ['Photovoltaic cells on the roof.', null, 1],
    ])
    const found = await as(user, (tx) =>
      search(tx, { q: 'solar', scope: 'files', ...semanticQuery }),
    )
    expect(found.semantic).toBe(true)
    expect(found.items).toHaveLength(2)

    const stored = await as(user, async (tx) => {
      const conversation = await createConversation(tx, {})
      const { message } = await appendMessage(tx, {
        conversationId: conversation.id,
        role: 'user',
        content: 'Solar?',
      })
      return storeMessageEmbeddings(tx, {
        model: 'test-embed',
        items: [{ messageId: message.id, embedding: [1, 0, 0] }],
      })
    })
    expect(stored).toBe(1)
  })
})
