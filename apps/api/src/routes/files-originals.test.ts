import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { dueOriginalDeletions } from '@parley/db'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFileStorage, type FileStorage, originalKey } from '../services/file-storage/index.ts'
import { sweepOriginalDeletions } from '../services/original-sweeper.ts'
import { documentFixtures } from '../testing/document-fixtures.ts'
import { expectEnvelope } from '../testing/expect-envelope.ts'
import { processedFile, uploadedFileId, uploadFile } from '../testing/files.ts'
import { startTestServer, type TestServer } from '../testing/test-server.ts'

/** The data folder's storage, whose removals fail while `failing` is set (a bucket that is down). */
class UnreliableStorage implements FileStorage {
  failing = false
  readonly #inner: FileStorage

  constructor(inner: FileStorage) {
    this.#inner = inner
  }
  put: FileStorage['put'] = (key, bytes, options) => this.#inner.put(key, bytes, options)
  get: FileStorage['get'] = (key) => this.#inner.get(key)
  listOwners: FileStorage['listOwners'] = () => this.#inner.listOwners()
  delete: FileStorage['delete'] = async (key) => {
    if (this.failing) throw new Error('the storage is unreachable')
    return this.#inner.delete(key)
  }
  deleteOwner: FileStorage['deleteOwner'] = async (owner) => {
    if (this.failing) throw new Error('the storage is unreachable')
    return this.#inner.deleteOwner(owner)
  }
}

let server: TestServer
let folder: string
let storage: UnreliableStorage
beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'parley-files-originals-test-'))
  storage = new UnreliableStorage(createFileStorage({ kind: 'local', directory: folder }))
  // One file each: a second upload is refused after its original was stored.
  server = await startTestServer({
    files: { storage },
    quotas: { conversations: 100, messagesPerConversation: 100, storedBytes: 1_000_000, files: 1 },
  })
})
afterAll(async () => {
  await server?.close()
  if (folder) await rm(folder, { recursive: true, force: true })
})

const silent = pino({ level: 'silent' })
const ownedFiles = async (userId: string) => readdir(path.join(folder, userId)).catch(() => [])
/** A sweep as it runs once the notes are old enough to be due. */
const sweepLater = () =>
  sweepOriginalDeletions(server.db, storage, silent, new Date(Date.now() + 3_600_000))
const notedKeys = async (userId: string) =>
  (
    await dueOriginalDeletions(server.db, {
      notedBefore: new Date(Date.now() + 3_600_000),
      limit: 10_000,
    })
  )
    .filter((note) => note.ownerId === userId)
    .map((note) => note.storageKey)

describe('an original whose removal fails', () => {
  it('is removed by a later sweep once its file is deleted, and forgotten then', async () => {
    const user = await server.user()
    const id = await uploadedFileId(server, user.token, 'stubborn.md', documentFixtures.markdown)
    await processedFile(server, user.token, id)

    storage.failing = true
    try {
      const deleted = await server.call(user.token, `/api/v1/files/${id}`, { method: 'DELETE' })
      expect(deleted.status).toBe(204)
      await expectEnvelope(await server.call(user.token, `/api/v1/files/${id}`), 404, 'not_found')
      expect(await ownedFiles(user.id)).toEqual([id])
      expect(await notedKeys(user.id)).toEqual([originalKey(user.id, id)])
      // Still down: the sweep keeps the note for the next one.
      await sweepLater()
      expect(await ownedFiles(user.id)).toEqual([id])
    } finally {
      storage.failing = false
    }

    // A sweep soon after the deletion leaves the note alone: the deletion may still be removing it.
    await sweepOriginalDeletions(server.db, storage, silent)
    expect(await ownedFiles(user.id)).toEqual([id])
    await sweepLater()
    expect(await ownedFiles(user.id)).toEqual([])
    expect(await notedKeys(user.id)).toEqual([])
  })

  it('is noted when its upload is refused after it was stored, and removed later', async () => {
    const user = await server.user()
    await uploadedFileId(server, user.token, 'first.md', documentFixtures.markdown)
    const [first] = await ownedFiles(user.id)

    storage.failing = true
    try {
      await expectEnvelope(
        await uploadFile(server, user.token, 'second.md', documentFixtures.markdown),
        409,
        'quota_exceeded',
      )
    } finally {
      storage.failing = false
    }
    const stored = await ownedFiles(user.id)
    expect(stored).toHaveLength(2)
    const refused = stored.find((name) => name !== first)
    expect(await notedKeys(user.id)).toEqual([originalKey(user.id, refused ?? '')])

    await sweepLater()
    expect(await ownedFiles(user.id)).toEqual([first])
    expect(await notedKeys(user.id)).toEqual([])
  })

  it('leaves nothing to sweep when it is removed at once', async () => {
    const user = await server.user()
    const id = await uploadedFileId(server, user.token, 'gone.md', documentFixtures.markdown)
    await processedFile(server, user.token, id)
    const deleted = await server.call(user.token, `/api/v1/files/${id}`, { method: 'DELETE' })
    expect(deleted.status).toBe(204)
    expect(await ownedFiles(user.id)).toEqual([])
    expect(await notedKeys(user.id)).toEqual([])
  })
})
