import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Embedder } from '@parley/llm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFileStorage } from '../services/file-storage/index.ts'
import { expectEnvelope } from '../testing/expect-envelope.ts'
import { processedFile, uploadedFileId, uploadFile } from '../testing/files.ts'
import { startTestServer, type TestServer } from '../testing/test-server.ts'

const maxFilesWaiting = 2

/** Embeddings that wait until the test lets them go, so uploaded files stay `processing`. */
function heldEmbedder() {
  let release: () => void = () => {}
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  const embedder: Embedder = {
    model: 'held-embeddings',
    dimensions: 3,
    async embed(texts) {
      await released
      return { vectors: texts.map(() => [1, 0, 0]), inputTokens: 0, costMicroUsd: 0, attempts: 1 }
    },
  }
  return { embedder, release }
}

let server: TestServer
let folder: string
const held = heldEmbedder()
beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'parley-files-waiting-test-'))
  const storage = createFileStorage({ kind: 'local', directory: folder })
  server = await startTestServer({ files: { storage, embedder: held.embedder, maxFilesWaiting } })
})
afterAll(async () => {
  held.release()
  await server?.close()
  if (folder) await rm(folder, { recursive: true, force: true })
})

describe('files waiting to be read', () => {
  it('are limited per user: one more upload gets 429 with the limit, and stores nothing', async () => {
    const alice = await server.user()
    const ids = [
      await uploadedFileId(server, alice.token, 'one.md', '# One\n\nFirst notes.\n'),
      await uploadedFileId(server, alice.token, 'two.md', '# Two\n\nSecond notes.\n'),
    ]
    const stored = (await readdir(path.join(folder, alice.id))).length
    const refused = await uploadFile(server, alice.token, 'three.md', '# Three\n\nThird.\n')
    expect(refused.headers.get('retry-after')).toBe('30')
    const body = await expectEnvelope(refused, 429, 'rate_limited')
    expect(body.error).toMatchObject({ details: { waitingFilesLimit: maxFilesWaiting } })
    expect((await readdir(path.join(folder, alice.id))).length).toBe(stored)

    // Another user's upload is not held up by Alice's backlog.
    const bob = await server.user()
    await uploadedFileId(server, bob.token, 'mine.md', '# Mine\n\nBob notes.\n')

    held.release()
    for (const id of ids) {
      expect(await processedFile(server, alice.token, id)).toMatchObject({ status: 'ready' })
    }
    await uploadedFileId(server, alice.token, 'three.md', '# Three\n\nThird.\n')
  })
})
