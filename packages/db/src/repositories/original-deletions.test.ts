import { createHash, randomUUID } from 'node:crypto'
import type { NewFile } from '@parley/schema/contracts'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Tx } from '../client.ts'
import { createTestDatabase, createTestUser, type TestUser } from '../testing/index.ts'
import { createFile, deleteFile } from './files.ts'
import {
  dueOriginalDeletions,
  forgetOriginalDeletions,
  forgetOwnerOriginalDeletions,
  noteOriginalDeletion,
} from './original-deletions.ts'

let db: Database
beforeAll(async () => {
  db = await createTestDatabase()
})
afterAll(() => db?.close())

const as = <T>(user: TestUser, fn: (tx: Tx) => Promise<T>) => db.withUser(user.claims, fn)

function upload(name: string): NewFile {
  return {
    name,
    kind: 'markdown',
    mimeType: 'text/markdown',
    sizeBytes: 10,
    sha256: createHash('sha256').update(name).digest('hex'),
    storageKey: `files/${randomUUID()}`,
  }
}

const later = () => new Date(Date.now() + 60_000)

/** The noted originals among `keys`, as owner and key. */
async function noted(keys: readonly string[]) {
  const due = await dueOriginalDeletions(db, { notedBefore: later(), limit: 10_000 })
  return due.filter((note) => keys.includes(note.storageKey))
}

describe('originals to remove', () => {
  it('are noted by the transaction that deletes their file, and only if it commits', async () => {
    const user = await createTestUser(db)
    const kept = await as(user, (tx) => createFile(tx, upload('kept.md')))
    const gone = await as(user, (tx) => createFile(tx, upload('gone.md')))
    await expect(
      as(user, async (tx) => {
        await deleteFile(tx, kept.id)
        throw new Error('changed my mind')
      }),
    ).rejects.toThrow('changed my mind')
    await as(user, (tx) => deleteFile(tx, gone.id))

    expect(await noted([kept.storageKey, gone.storageKey])).toEqual([
      { storageKey: gone.storageKey, ownerId: user.id },
    ])
    await forgetOriginalDeletions(db, [gone.storageKey])
    expect(await noted([gone.storageKey])).toEqual([])
  })

  it('are noted for every file of a deleted account, and forgotten by owner', async () => {
    const [user, other] = [await createTestUser(db), await createTestUser(db)]
    const first = await as(user, (tx) => createFile(tx, upload('one.md')))
    const second = await as(user, (tx) => createFile(tx, upload('two.md')))
    const others = await as(other, (tx) => createFile(tx, upload('theirs.md')))
    await as(other, (tx) => deleteFile(tx, others.id))
    await db.asService((tx) => tx.execute(sql`delete from auth.users where id = ${user.id}::uuid`))

    const keys = [first.storageKey, second.storageKey, others.storageKey]
    expect(await noted(keys)).toHaveLength(3)
    await forgetOwnerOriginalDeletions(db, user.id)
    expect(await noted(keys)).toEqual([{ storageKey: others.storageKey, ownerId: other.id }])
  })

  it('can be noted without a file row, once, and are due only once old enough', async () => {
    const ownerId = randomUUID()
    const storageKey = `${ownerId}/${randomUUID()}`
    await noteOriginalDeletion(db, { storageKey, ownerId })
    await noteOriginalDeletion(db, { storageKey, ownerId })
    expect(await noted([storageKey])).toEqual([{ storageKey, ownerId }])
    const earlier = await dueOriginalDeletions(db, {
      notedBefore: new Date(Date.now() - 60_000),
      limit: 10_000,
    })
    expect(earlier.map((note) => note.storageKey)).not.toContain(storageKey)
    await expect(noteOriginalDeletion(db, { storageKey: '', ownerId })).rejects.toThrow()
  })
})
