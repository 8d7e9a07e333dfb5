import { randomUUID } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import S3rver from 's3rver'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { letS3rverPageListings } from '../../testing/s3rver-tokens.ts'
import { createFileStorage, type FileStorage, originalKey } from './index.ts'
import { S3FileStorage } from './s3.ts'

let folder: string
let s3rver: S3rver
let pagedBucket: FileStorage
let backends: Record<'data folder' | 'S3-compatible bucket', FileStorage>

const bucketSettings = (port: number) =>
  ({
    kind: 's3',
    bucket: 'parley-files',
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
  }) as const

beforeAll(async () => {
  letS3rverPageListings()
  folder = await mkdtemp(path.join(tmpdir(), 'parley-storage-'))
  s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: path.join(folder, 's3'),
    configureBuckets: [{ name: 'parley-files', configs: [] }],
  })
  const { port } = await s3rver.run()
  // Listing pages of two keys, so that deleting an owner walks several pages.
  pagedBucket = new S3FileStorage(bucketSettings(port), { pageSize: 2 })
  backends = {
    'data folder': createFileStorage({ kind: 'local', directory: path.join(folder, 'files') }),
    'S3-compatible bucket': createFileStorage(bucketSettings(port)),
  }
})
afterAll(async () => {
  await s3rver?.close()
  if (folder) await rm(folder, { recursive: true, force: true })
})

const key = () => originalKey(randomUUID(), randomUUID())
const bytes = (text: string) => new TextEncoder().encode(text)

describe.each(['data folder', 'S3-compatible bucket'] as const)('file storage in a %s', (name) => {
  const storage = () => backends[name]

  it('gives back exactly the bytes it stored, and nothing for a key never stored', async () => {
    const stored = key()
    const original = new Uint8Array([0, 255, 37, 80, 68, 70, 10, 0])
    await storage().put(stored, original, { contentType: 'application/pdf' })
    expect(await storage().get(stored)).toEqual(original)
    expect(await storage().get(key())).toBeNull()
  })

  it('replaces what a key held when it is stored again', async () => {
    const stored = key()
    await storage().put(stored, bytes('first'), { contentType: 'text/plain' })
    await storage().put(stored, bytes('second'), { contentType: 'text/plain' })
    expect(await storage().get(stored)).toEqual(bytes('second'))
  })

  it('deletes what it stored, and deleting again or deleting nothing is fine', async () => {
    const stored = key()
    await storage().put(stored, bytes('gone soon'), { contentType: 'text/plain' })
    await storage().delete(stored)
    expect(await storage().get(stored)).toBeNull()
    await expect(storage().delete(stored)).resolves.toBeUndefined()
  })

  it('deletes every original of one owner, and nobody else’s', async () => {
    const [owner, other] = [randomUUID(), randomUUID()]
    const owned = Array.from({ length: 5 }, () => originalKey(owner, randomUUID()))
    const kept = originalKey(other, randomUUID())
    for (const stored of [...owned, kept]) {
      await storage().put(stored, bytes(stored), { contentType: 'text/plain' })
    }
    expect(await storage().listOwners()).toEqual(expect.arrayContaining([owner, other]))

    await storage().deleteOwner(owner)
    for (const stored of owned) expect(await storage().get(stored)).toBeNull()
    expect(await storage().get(kept)).toEqual(bytes(kept))
    expect(await storage().listOwners()).not.toContain(owner)
    expect(await storage().listOwners()).toContain(other)
    await expect(storage().deleteOwner(owner)).resolves.toBeUndefined()
  })

  it('refuses an owner that is not an id, so no other folder or prefix is reachable', async () => {
    for (const bad of ['..', '', '*', `${randomUUID()}/..`]) {
      await expect(storage().deleteOwner(bad)).rejects.toThrow('not a file owner id')
    }
  })

  it('refuses keys it did not make, so no path or object outside the originals is reachable', async () => {
    for (const bad of ['../../etc/passwd', `${randomUUID()}/../x`, 'a/b', '']) {
      await expect(storage().get(bad)).rejects.toThrow('not a file storage key')
      await expect(storage().put(bad, bytes('x'), { contentType: 'text/plain' })).rejects.toThrow()
      await expect(storage().delete(bad)).rejects.toThrow()
    }
  })
})

describe('file storage in an S3-compatible bucket', () => {
  it('deletes an owner’s originals across as many listing pages as they fill', async () => {
    const owner = randomUUID()
    const owned = Array.from({ length: 7 }, () => originalKey(owner, randomUUID()))
    for (const stored of owned)
      await pagedBucket.put(stored, bytes('x'), { contentType: 'text/plain' })
    await pagedBucket.deleteOwner(owner)
    for (const stored of owned) expect(await pagedBucket.get(stored)).toBeNull()
  })
})

describe('file storage in a data folder', () => {
  it('writes through a temporary file and leaves none behind', async () => {
    const userId = randomUUID()
    const stored = originalKey(userId, randomUUID())
    await backends['data folder'].put(stored, bytes('atomic'), { contentType: 'text/plain' })
    expect(await readdir(path.join(folder, 'files', userId))).toEqual([stored.split('/')[1]])
  })
})
