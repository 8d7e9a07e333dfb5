import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { inspect } from '@parley/db/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processedFile, uploadedFileId } from '../../testing/files.ts'
import {
  fakeEmbedder,
  readEvents,
  startTestServer,
  type TestServer,
} from '../../testing/test-server.ts'
import { createFileStorage } from '../file-storage/index.ts'
import { retrieveOperation } from '../retrieval.ts'

let server: TestServer
let filesDir: string
beforeAll(async () => {
  filesDir = await mkdtemp(path.join(tmpdir(), 'parley-test-files-only-'))
  let fakeBaseUrl = ''
  server = await startTestServer({
    files: {
      storage: createFileStorage({ kind: 'local', directory: filesDir }),
      embedder: fakeEmbedder(() => fakeBaseUrl),
      embedMessages: false,
    },
  })
  fakeBaseUrl = server.fake.openaiBaseUrl
})
afterAll(async () => {
  await server?.close()
  await rm(filesDir, { recursive: true, force: true })
})

const embeddingsOf = (text: string) =>
  server.fake.requestsFor({ inputIncludes: text }).filter((r) => r.path === '/v1/embeddings')

describe('semantic search over files only (PARLEY_EMBED_MESSAGES=false)', () => {
  it('embeds no message, and a question only when its conversation reads files', async () => {
    const user = await server.user()
    const plain = 'What rhymes with orange, asked in a chat without files?'
    server.fake.enqueue({ kind: 'text', text: 'Nothing quite does.' }, { lastUserMessage: plain })
    const first = await readEvents(
      await server.sendStreamed(user.token, await server.newConversation(user.token), {
        content: plain,
      }),
    )
    expect(first.at(-1)).toMatchObject({ event: 'done' })
    expect(embeddingsOf(plain)).toEqual([])

    const fileId = await uploadedFileId(
      server,
      user.token,
      'notes.md',
      '# Notes\n\nThe orange kiln fires at dawn.\n',
    )
    expect(await processedFile(server, user.token, fileId)).toMatchObject({ status: 'ready' })
    const reading = await server.newConversation(user.token)
    const scoped = await server.call(user.token, `/api/v1/conversations/${reading}/files`, {
      method: 'PUT',
      json: { mode: 'all' },
    })
    expect(scoped.status).toBe(200)
    const asked = 'When does the kiln fire, in a chat that reads my notes?'
    server.fake.enqueue({ kind: 'text', text: 'At dawn [1].' }, { lastUserMessage: asked })
    const second = await readEvents(
      await server.sendStreamed(user.token, reading, { content: asked }),
    )
    expect(second.at(-1)).toMatchObject({ event: 'done' })
    expect(embeddingsOf(asked)).toHaveLength(1)

    const operations = (await inspect.usageOfUser(server.db, user.id)).map((row) => row.promptName)
    expect(operations.filter((name) => name === retrieveOperation)).toHaveLength(1)
    expect(operations).not.toContain('messages.embed')
    expect(server.deps.messageEmbeddings).toBeUndefined()
  })
})
