import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import type { Database } from '@parley/db'
import { createTestDatabase } from '@parley/db/testing'
import { type FakeUpstream, startFakeUpstream } from '@parley/llm/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newSigningKeyJson } from './auth-local/signing-key.ts'
import { type ApiProcess, startApiProcess } from './testing/api-process.ts'
import { eventually } from './testing/test-server.ts'

type FileState = {
  status: string
  attempts: number
  ingest_owner: string | null
  chunk_count: number
}

/**
 * Two API processes on one database, as two instances behind a load balancer: a migrated PGlite
 * with pgvector served over the Postgres wire protocol (so semantic search, and its paid
 * embedding calls, are on), and one folder of originals (as instances share a bucket).
 */
describe('file ingest across two API processes on one database', () => {
  let database: Database
  let socket: PGLiteSocketServer
  let fake: FakeUpstream
  let shared: string
  let db: Database
  const apis: ApiProcess[] = []
  let env: Record<string, string>
  let databaseUrl: string

  beforeAll(async () => {
    database = await createTestDatabase()
    if (!database.pglite) throw new Error('an embedded test database')
    socket = new PGLiteSocketServer({
      db: database.pglite,
      host: '127.0.0.1',
      port: 0,
      maxConnections: 32,
    })
    await socket.start()
    databaseUrl = `postgres://postgres:postgres@${socket.getServerConn()}/postgres`
    fake = await startFakeUpstream()
    shared = await mkdtemp(path.join(os.tmpdir(), 'parley-ingest-processes-'))
    env = {
      PARLEY_DATA_DIR: shared,
      PARLEY_AUTH_SIGNING_KEYS: await newSigningKeyJson(),
      PARLEY_BOOTSTRAP_ADMIN_TOKEN: 'the-ingest-processes-test-admin-token',
      PARLEY_EMBEDDINGS_URL: fake.openaiBaseUrl,
      PARLEY_EMBEDDINGS_API_KEY: 'test-embeddings-key',
      PARLEY_FILE_LEASE_SECONDS: '5',
    }
  })
  afterAll(async () => {
    for (const api of apis) await api.cleanUp()
    await db?.close()
    await socket?.stop()
    await database?.close()
    await fake?.close()
    if (shared) await rm(shared, { recursive: true, force: true })
  })

  const started = async () => {
    const api = await startApiProcess({ env, databaseUrl })
    apis.push(api)
    return api
  }

  const fileState = async (id: string): Promise<FileState | undefined> => {
    const [row] = await db.asOwner((sql) =>
      sql.query<FileState>(
        'select status, attempts, ingest_owner, chunk_count from public.files where id = $1',
        [id],
      ),
    )
    return row
  }

  const upload = async (api: ApiProcess, token: string, name: string, text: string) => {
    const form = new FormData()
    form.append('file', new Blob([text], { type: 'text/markdown' }), name)
    const response = await fetch(`${api.url}/api/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    })
    expect(response.status).toBe(202)
    return ((await response.json()) as { id: string }).id
  }

  const embeddingCalls = (word: string) =>
    fake.requestsFor({ inputIncludes: word }).filter((r) => r.path === '/v1/embeddings')

  it('reads a file a killed process left mid-read exactly once more, on the other', async () => {
    const first = await started()
    db = await first.openDatabase()
    const token = await first.signUp()
    const word = `pangolin${randomUUID().slice(0, 8)}`
    // The first process's embedding call never answers: it is killed in the middle of it.
    fake.enqueue({ kind: 'hang' }, { inputIncludes: word })
    const id = await upload(
      first,
      token,
      'notes.md',
      `# Field notes\n\nA ${word} crossed the road at dawn.\n`,
    )
    await eventually(() => embeddingCalls(word).length === 1)
    const claimed = await fileState(id)
    expect(claimed).toMatchObject({ status: 'processing', attempts: 1 })

    // A second process starts while the first reads: its recovery leaves the file alone. Its
    // queue reads in arrival order, so once a file uploaded to it after its start is ready,
    // anything its recovery had queued would have been claimed and embedded already.
    const second = await started()
    const later = await upload(second, token, 'later.md', '# Later\n\nA file read by the second.\n')
    await eventually(async () => (await fileState(later))?.status === 'ready')
    expect(await fileState(id)).toEqual(claimed)
    expect(embeddingCalls(word)).toHaveLength(1)

    first.child.kill('SIGKILL')
    await first.exited
    const ready = await eventually(async () => {
      const state = await fileState(id)
      return state?.status === 'processing' ? undefined : state
    })
    expect(ready).toMatchObject({ status: 'ready', attempts: 2, ingest_owner: null })
    expect(ready?.chunk_count).toBeGreaterThan(0)
    expect(ready?.ingest_owner).not.toBe(claimed?.ingest_owner)

    // Two embedding calls in all: the killed one, cut off, and the one that completed.
    await eventually(() => embeddingCalls(word)[0]?.state === 'disconnected')
    expect(embeddingCalls(word).map((call) => call.state)).toEqual(['disconnected', 'completed'])
    const usage = await db.asOwner((sql) =>
      sql.query<{ n: number }>(
        `select count(*)::int as n from public.usage_events
         where request_id = $1 and prompt_name = 'files.embed'`,
        [`ingest:${id}`],
      ),
    )
    expect(usage).toEqual([{ n: 1 }])
    const chunks = await db.asOwner((sql) =>
      sql.query<{ n: number }>(
        'select count(*)::int as n from public.document_chunks where file_id = $1',
        [id],
      ),
    )
    expect(chunks).toEqual([{ n: ready?.chunk_count }])
  })
})
