import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createDatabase } from './client.ts'
import { embeddedCacheMb, embeddedDataBytes } from './embedded-cache.ts'

const mb = 1024 * 1024
const gb = 1024 * mb

describe('the embedded database cache', () => {
  const folders: string[] = []
  afterAll(() => Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true }))))

  it('keeps 128 MB for small data and grows with large data, within the machine and PGlite', () => {
    const machine = 24 * gb
    expect(embeddedCacheMb(0, machine)).toBe(128)
    expect(embeddedCacheMb(400 * mb, machine)).toBe(128)
    expect(embeddedCacheMb(1.5 * gb, machine)).toBe(512)
    expect(embeddedCacheMb(1.3 * gb, machine)).toBe(432) // a third, in 16 MB steps
    expect(embeddedCacheMb(40 * gb, machine)).toBe(1024)
    expect(embeddedCacheMb(40 * gb, 2 * gb)).toBe(256) // an eighth of a small machine
    expect(embeddedCacheMb(40 * gb, 512 * mb)).toBe(128)
  })

  it("counts the data folder's tables and indexes, not its write-ahead log", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-cache-'))
    folders.push(dir)
    expect(await embeddedDataBytes(dir)).toBe(0)
    await mkdir(path.join(dir, 'base', '5'), { recursive: true })
    await mkdir(path.join(dir, 'pg_wal'))
    await writeFile(path.join(dir, 'base', '5', '16384'), Buffer.alloc(8192))
    await writeFile(path.join(dir, 'base', '5', '16384_fsm'), Buffer.alloc(1000))
    await writeFile(path.join(dir, 'pg_wal', '000000010000000000000001'), Buffer.alloc(4096))
    expect(await embeddedDataBytes(dir)).toBe(9192)
  })

  it('is the size it is given', async () => {
    const db = await createDatabase({ kind: 'pglite', cacheMb: 48 })
    try {
      const [row] = await db.ownerStatement<{ shared_buffers: string }>('show shared_buffers', [])
      expect(row?.shared_buffers).toBe('48MB')
    } finally {
      await db.close()
    }
  })
})
