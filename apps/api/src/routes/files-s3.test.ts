import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { listFileChunks } from '@parley/db'
import S3rver from 's3rver'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFileStorage, type FileStorage, originalKey } from '../services/file-storage/index.ts'
import { documentFixtures } from '../testing/document-fixtures.ts'
import { processedFile, uploadedFileId } from '../testing/files.ts'
import { startTestServer, type TestServer } from '../testing/test-server.ts'

let folder: string
let s3rver: S3rver
let storage: FileStorage
let server: TestServer
beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'parley-files-s3-'))
  s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: folder,
    configureBuckets: [{ name: 'originals', configs: [] }],
  })
  const { port } = await s3rver.run()
  storage = createFileStorage({
    kind: 's3',
    bucket: 'originals',
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
  })
  server = await startTestServer({ files: { storage } })
})
afterAll(async () => {
  await server?.close()
  await s3rver?.close()
  if (folder) await rm(folder, { recursive: true, force: true })
})

describe('files kept in an S3-compatible bucket', () => {
  it('are read, downloaded, and deleted with their passages and their object', async () => {
    const user = await server.user()
    const id = await uploadedFileId(server, user.token, 'guide.md', documentFixtures.markdown)
    expect(await processedFile(server, user.token, id)).toMatchObject({ status: 'ready' })
    const key = originalKey(user.id, id)
    expect(await storage.get(key)).not.toBeNull()

    const download = await server.call(user.token, `/api/v1/files/${id}/content`)
    expect(await download.text()).toBe(documentFixtures.markdown)

    const deleted = await server.call(user.token, `/api/v1/files/${id}`, { method: 'DELETE' })
    expect(deleted.status).toBe(204)
    expect(await storage.get(key)).toBeNull()
    expect(await server.db.asService((tx) => listFileChunks(tx, id))).toEqual([])
  })

  it('go with their owner’s account, and another user’s stay', async () => {
    const user = await server.user()
    const other = await server.user()
    const ids = [
      await uploadedFileId(server, user.token, 'one.md', documentFixtures.markdown),
      await uploadedFileId(server, user.token, 'two.md', documentFixtures.markdown),
    ]
    const otherId = await uploadedFileId(server, other.token, 'mine.md', documentFixtures.markdown)
    for (const id of ids) await processedFile(server, user.token, id)
    await processedFile(server, other.token, otherId)
    expect(await storage.listOwners()).toEqual(expect.arrayContaining([user.id, other.id]))

    const deleted = await server.call(user.token, '/api/v1/me', {
      method: 'DELETE',
      json: { confirmEmail: user.email },
    })
    expect(deleted.status).toBe(204)
    for (const id of ids) expect(await storage.get(originalKey(user.id, id))).toBeNull()
    expect(await storage.listOwners()).not.toContain(user.id)
    expect(await storage.get(originalKey(other.id, otherId))).not.toBeNull()
  })
})
