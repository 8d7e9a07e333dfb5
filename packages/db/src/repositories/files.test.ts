import { createHash, randomUUID } from 'node:crypto'
import type { IngestedChunk, NewFile } from '@parley/schema/contracts'
import { documentChunks, files, profiles } from '@parley/schema/tables'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Tx } from '../client.ts'
import { DbError } from '../errors.ts'
import { createTestDatabase, createTestUser, type TestUser } from '../testing/index.ts'
import {
  claimFileIngest,
  completeFileIngest,
  createFile,
  deleteFile,
  failFileIngest,
  getFile,
  interruptedTooOften,
  listFileChunks,
  listFiles,
  recoverStuckFiles,
  renewFileIngestLeases,
  toFileResource,
} from './files.ts'
import { vectorSearchAvailable } from './knowledge.ts'
import {
  dueOriginalDeletions,
  forgetOriginalDeletions,
  forgetOwnerOriginalDeletions,
  noteOriginalDeletion,
} from './original-deletions.ts'

let db: Database
beforeAll(async () => {
  db = await createTestDatabase({
    quotas: { conversations: 100, messagesPerConversation: 100, storedBytes: 10_000, files: 3 },
  })
})
afterAll(() => db?.close())

const as = <T>(user: TestUser, fn: (tx: Tx) => Promise<T>) => db.withUser(user.claims, fn)

function upload(name = 'notes.md', sizeBytes = 100): NewFile {
  return {
    name,
    kind: 'markdown',
    mimeType: 'text/markdown',
    sizeBytes,
    sha256: createHash('sha256').update(name).digest('hex'),
    storageKey: `files/${randomUUID()}`,
  }
}

const passage = (content: string, page: number | null = null): IngestedChunk => ({
  page,
  headingPath: ['Guide', 'Setup'],
  content,
  tokenCount: content.split(' ').length,
})

async function refusal(work: Promise<unknown>): Promise<DbError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof DbError)) throw new Error(`expected a refusal, got ${String(error)}`)
  return error
}

const chunkCount = (fileId: string) =>
  db.asService(async (tx) => {
    const rows = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(documentChunks)
      .where(eq(documentChunks.fileId, fileId))
    return rows[0]?.n ?? 0
  })

describe('files', () => {
  it('are recorded as processing for their owner and listed newest first', async () => {
    const user = await createTestUser(db)
    const first = await as(user, (tx) => createFile(tx, upload('a.md')))
    const second = await as(user, (tx) => createFile(tx, upload('b.md')))
    expect(first).toMatchObject({ userId: user.id, status: 'processing', chunkCount: 0 })
    expect(toFileResource(first)).toMatchObject({ name: 'a.md', embedded: false, error: null })

    const page1 = await as(user, (tx) => listFiles(tx, { limit: 1 }))
    expect(page1.items.map((f) => f.id)).toEqual([second.id])
    const page2 = await as(user, (tx) =>
      listFiles(tx, { limit: 1, cursor: page1.nextCursor ?? '' }),
    )
    expect(page2).toEqual({ items: [first], nextCursor: null })
  })

  it('complete with all their passages at once and become ready', async () => {
    const user = await createTestUser(db)
    const file = await as(user, (tx) => createFile(tx, upload()))
    const reader = randomUUID()
    expect(await as(user, (tx) => claimFileIngest(tx, file.id, claim(reader)))).toMatchObject({
      attempts: 1,
      ingestOwner: reader,
    })
    const ready = await as(user, (tx) =>
      completeFileIngest(
        tx,
        file.id,
        {
          pageCount: 2,
          chunks: [passage('Install the tool first.', 1), passage('Then configure it.', 2)],
        },
        { claimedBy: reader },
      ),
    )
    expect(ready).toMatchObject({
      status: 'ready',
      pageCount: 2,
      chunkCount: 2,
      embeddingModel: null,
      ingestOwner: null,
      ingestLeaseUntil: null,
    })
    const chunks = await as(user, (tx) => listFileChunks(tx, file.id))
    expect(chunks).toMatchObject([
      { ordinal: 0, page: 1, headingPath: ['Guide', 'Setup'], content: 'Install the tool first.' },
      { ordinal: 1, page: 2, content: 'Then configure it.' },
    ])
  })

  it('keep embeddings with the model that made them, or none without pgvector', async () => {
    const user = await createTestUser(db)
    const file = await as(user, (tx) => createFile(tx, upload()))
    const ready = await as(user, (tx) =>
      completeFileIngest(tx, file.id, {
        embeddingModel: 'test-embed',
        chunks: [{ ...passage('Vectors here.'), embedding: [1, 0, 0] }],
      }),
    )
    const vectors = await as(user, vectorSearchAvailable)
    expect(toFileResource(ready)).toMatchObject({ status: 'ready', embedded: vectors })
    expect(await as(user, (tx) => listFileChunks(tx, file.id))).toMatchObject([
      { embeddingModel: vectors ? 'test-embed' : null },
    ])
  })

  it('complete with more passages than one batch, all ready at once', async () => {
    const user = await createTestUser(db)
    const file = await as(user, (tx) => createFile(tx, upload()))
    const reader = randomUUID()
    await as(user, (tx) => claimFileIngest(tx, file.id, claim(reader)))
    const chunks = Array.from({ length: 7 }, (_, i) => passage(`Step ${i} of the setup.`, i + 1))
    const ready = await as(user, (tx) =>
      completeFileIngest(tx, file.id, { chunks }, { claimedBy: reader, batchSize: 3 }),
    )
    expect(ready).toMatchObject({ status: 'ready', chunkCount: 7, ingestOwner: null })
    const stored = await as(user, (tx) => listFileChunks(tx, file.id))
    expect(stored.map((chunk) => [chunk.ordinal, chunk.content])).toEqual(
      chunks.map((chunk, i) => [i, chunk.content]),
    )
  })

  it('store none of the batches when a later one fails, and the file stays processing', async () => {
    const user = await createTestUser(db)
    const file = await as(user, (tx) => createFile(tx, upload()))
    const reader = randomUUID()
    await as(user, (tx) => claimFileIngest(tx, file.id, claim(reader)))
    const chunks = Array.from({ length: 7 }, (_, i) => passage(`Step ${i}.`))
    // Refused by the repository only in the third batch, after two were sent to the database.
    const badLater = [...chunks.slice(0, 6), { ...passage('x'), content: '' }]
    const invalid = await refusal(
      as(user, (tx) =>
        completeFileIngest(tx, file.id, { chunks: badLater }, { claimedBy: reader, batchSize: 3 }),
      ),
    )
    expect(invalid.code).toBe('invalid_input')
    // Refused by the database in the second batch (a token count past integer), after the first.
    const badInTable = chunks.map((chunk, i) =>
      i === 4 ? { ...chunk, tokenCount: 2 ** 31 } : chunk,
    )
    await refusal(
      as(user, (tx) => completeFileIngest(tx, file.id, { chunks: badInTable }, { batchSize: 3 })),
    )
    expect(await chunkCount(file.id)).toBe(0)
    expect(await as(user, (tx) => getFile(tx, file.id))).toMatchObject({
      status: 'processing',
      chunkCount: 0,
      ingestOwner: reader,
    })

    // A reader whose claim was taken over writes nothing, whatever the batch.
    const lost = await refusal(
      as(user, (tx) =>
        completeFileIngest(tx, file.id, { chunks }, { claimedBy: randomUUID(), batchSize: 3 }),
      ),
    )
    expect(lost.code).toBe('conflict')
    expect(await chunkCount(file.id)).toBe(0)
  })

  it('store nothing when one passage is bad, leaving the file processing', async () => {
    const user = await createTestUser(db)
    const file = await as(user, (tx) => createFile(tx, upload()))
    // Valid for the repository, refused by the table (a page must be 1 or more): the database's
    // own all-or-nothing is what is tested here.
    const bad = JSON.stringify([
      { ordinal: 0, page: 1, headingPath: [], content: 'Fine passage.', tokenCount: 2 },
      { ordinal: 1, page: 0, headingPath: [], content: 'Bad page.', tokenCount: 2 },
    ])
    const error = await refusal(
      as(user, (tx) =>
        tx.execute(
          sql`select public.complete_file_ingest(${file.id}::uuid, null, null, ${bad}::jsonb)`,
        ),
      ),
    )
    expect(error.code).toBe('invalid_input')
    expect(await chunkCount(file.id)).toBe(0)
    expect(await as(user, (tx) => getFile(tx, file.id))).toMatchObject({
      status: 'processing',
      chunkCount: 0,
    })

    const invalid = await refusal(
      as(user, (tx) =>
        completeFileIngest(tx, file.id, {
          chunks: [passage('ok'), { ...passage(''), content: '' }],
        }),
      ),
    )
    expect(invalid.code).toBe('invalid_input')
    expect(await chunkCount(file.id)).toBe(0)

    const failed = await as(user, (tx) =>
      failFileIngest(tx, file.id, 'The PDF is password-protected.'),
    )
    expect(failed).toMatchObject({ status: 'failed', error: 'The PDF is password-protected.' })
  })

  it('refuse a second ingest once no longer processing', async () => {
    const user = await createTestUser(db)
    const file = await as(user, (tx) => createFile(tx, upload()))
    await as(user, (tx) => completeFileIngest(tx, file.id, { chunks: [passage('Once.')] }))
    const again = await refusal(
      as(user, (tx) => completeFileIngest(tx, file.id, { chunks: [passage('Twice.')] })),
    )
    expect(again.code).toBe('conflict')
    expect(await chunkCount(file.id)).toBe(1)
    expect(await as(user, (tx) => failFileIngest(tx, file.id, 'late failure'))).toBeNull()
  })

  it('delete with their passages and say where the original was stored', async () => {
    const user = await createTestUser(db)
    const file = await as(user, (tx) => createFile(tx, upload()))
    await as(user, (tx) => completeFileIngest(tx, file.id, { chunks: [passage('Gone soon.')] }))
    expect(await as(user, (tx) => deleteFile(tx, file.id))).toEqual({ storageKey: file.storageKey })
    expect(await chunkCount(file.id)).toBe(0)
    expect(await as(user, (tx) => deleteFile(tx, file.id))).toBeNull()
  })

  it('go with their owner when the account is deleted', async () => {
    const user = await createTestUser(db)
    const file = await as(user, (tx) => createFile(tx, upload()))
    await as(user, (tx) => completeFileIngest(tx, file.id, { chunks: [passage('Mine.')] }))
    await db.asService((tx) => tx.execute(sql`delete from auth.users where id = ${user.id}::uuid`))
    const left = await db.asService((tx) => tx.select().from(files).where(eq(files.id, file.id)))
    expect(left).toEqual([])
    expect(await chunkCount(file.id)).toBe(0)
  })

  it('are private: another user cannot read, change or delete them or their passages', async () => {
    const owner = await createTestUser(db)
    const other = await createTestUser(db)
    const file = await as(owner, (tx) => createFile(tx, upload()))
    await as(owner, (tx) => completeFileIngest(tx, file.id, { chunks: [passage('Secret plan.')] }))

    expect(await as(other, (tx) => getFile(tx, file.id))).toBeNull()
    expect(await as(other, (tx) => listFiles(tx))).toEqual({ items: [], nextCursor: null })
    expect(await as(other, (tx) => listFileChunks(tx, file.id))).toEqual([])
    expect(await as(other, (tx) => deleteFile(tx, file.id))).toBeNull()
    expect(await as(other, (tx) => failFileIngest(tx, file.id, 'sabotage'))).toBeNull()
    const deleted = await as(other, (tx) =>
      tx
        .delete(documentChunks)
        .where(eq(documentChunks.fileId, file.id))
        .returning({ id: documentChunks.id }),
    )
    expect(deleted).toEqual([])
    const update = await refusal(
      as(other, (tx) =>
        tx.execute(
          sql`update public.document_chunks set content = 'x' where file_id = ${file.id}::uuid`,
        ),
      ),
    )
    expect(update.code).toBe('forbidden')
    // Passages planted in the owner's file: as the owner, row-level security refuses them; as
    // the other user (the default owner), the composite key to the file refuses the pairing.
    const spoof = await refusal(
      as(other, (tx) =>
        tx.execute(sql`
          insert into public.document_chunks (file_id, user_id, ordinal, content, token_count)
          values (${file.id}::uuid, ${owner.id}::uuid, 9, 'planted', 1)`),
      ),
    )
    expect(spoof.code).toBe('forbidden')
    const misfiled = await refusal(
      as(other, (tx) =>
        tx.execute(sql`
          insert into public.document_chunks (file_id, ordinal, content, token_count)
          values (${file.id}::uuid, 9, 'planted', 1)`),
      ),
    )
    expect(misfiled.code).toBe('not_found')
    expect(await as(owner, (tx) => getFile(tx, file.id))).toMatchObject({ status: 'ready' })
    expect(await chunkCount(file.id)).toBe(1)
  })

  it('count against the file and storage quotas', async () => {
    const user = await createTestUser(db)
    const big = await refusal(as(user, (tx) => createFile(tx, upload('big.pdf', 20_000))))
    expect(big.quota).toEqual({ quota: 'storedBytes', limit: 10_000, used: 0 })
    const made = []
    for (const name of ['1.md', '2.md', '3.md'])
      made.push(await as(user, (tx) => createFile(tx, upload(name))))
    const fourth = await refusal(as(user, (tx) => createFile(tx, upload('4.md'))))
    expect(fourth).toMatchObject({
      code: 'quota_exceeded',
      quota: { quota: 'files', limit: 3, used: 3 },
    })
    const [first] = made
    if (first) await as(user, (tx) => deleteFile(tx, first.id))
    await as(user, (tx) => createFile(tx, upload('4.md')))
    const [profile] = await db.asService((tx) =>
      tx.select().from(profiles).where(eq(profiles.id, user.id)),
    )
    expect(profile).toMatchObject({ fileCount: 3, storedBytes: 300 })
  })

  it('left processing are requeued at start, or failed after three runs', async () => {
    const user = await createTestUser(db)
    const fresh = await as(user, (tx) => createFile(tx, upload('fresh.md')))
    const worn = await as(user, (tx) => createFile(tx, upload('worn.md')))
    for (let run = 0; run < 3; run++) {
      await as(user, (tx) => claimFileIngest(tx, worn.id, claim(randomUUID())))
      await expireLease(worn.id)
    }

    const { requeue, failed } = await db.asService((tx) => recoverStuckFiles(tx))
    expect(requeue.map((f) => f.id)).toContain(fresh.id)
    expect(requeue.map((f) => f.id)).not.toContain(worn.id)
    expect(failed.find((f) => f.id === worn.id)).toMatchObject({
      status: 'failed',
      error: interruptedTooOften,
      attempts: 3,
      ingestOwner: null,
    })
  })
})

const claim = (owner: string, leaseSeconds = 60) => ({ owner, leaseSeconds, maxAttempts: 3 })

/** What the clock does to a claim its reader stopped renewing: its lease runs out. */
const expireLease = (fileId: string) =>
  db.asService((tx) =>
    tx.execute(sql`
      update public.files set ingest_lease_until = now() - interval '1 second'
      where id = ${fileId}::uuid and ingest_owner is not null`),
  )

const fileRow = (fileId: string) =>
  db.asService(async (tx) => {
    const [row] = await tx.select().from(files).where(eq(files.id, fileId))
    return row
  })

describe('ingest claims across server instances', () => {
  it('let exactly one of two readers claim a file', async () => {
    const user = await createTestUser(db)
    const file = await as(user, (tx) => createFile(tx, upload()))
    const [a, b] = [randomUUID(), randomUUID()]
    const claims = await Promise.all([
      as(user, (tx) => claimFileIngest(tx, file.id, claim(a))),
      as(user, (tx) => claimFileIngest(tx, file.id, claim(b))),
    ])
    const won = claims.filter((row) => row !== null)
    expect(won).toHaveLength(1)
    expect(await fileRow(file.id)).toMatchObject({ attempts: 1, ingestOwner: won[0]?.ingestOwner })
    // A live claim is not taken, not even by a second try of the same readers.
    expect(await as(user, (tx) => claimFileIngest(tx, file.id, claim(a)))).toBeNull()
    expect(await as(user, (tx) => claimFileIngest(tx, file.id, claim(b)))).toBeNull()
  })

  it('let another reader take over a claim whose lease ran out, counting the attempt', async () => {
    const user = await createTestUser(db)
    const file = await as(user, (tx) => createFile(tx, upload()))
    const [gone, next] = [randomUUID(), randomUUID()]
    await as(user, (tx) => claimFileIngest(tx, file.id, claim(gone)))
    await expireLease(file.id)
    const taken = await as(user, (tx) => claimFileIngest(tx, file.id, claim(next)))
    expect(taken).toMatchObject({ ingestOwner: next, attempts: 2 })
    expect(taken?.ingestLeaseUntil?.getTime()).toBeGreaterThan(Date.now())
  })

  it('keep a reader whose claim was taken over from completing or failing the file', async () => {
    const user = await createTestUser(db)
    const file = await as(user, (tx) => createFile(tx, upload()))
    const [late, next] = [randomUUID(), randomUUID()]
    await as(user, (tx) => claimFileIngest(tx, file.id, claim(late)))
    await expireLease(file.id)
    await as(user, (tx) => claimFileIngest(tx, file.id, claim(next)))

    const refused = await refusal(
      as(user, (tx) =>
        completeFileIngest(tx, file.id, { chunks: [passage('Late copy.')] }, { claimedBy: late }),
      ),
    )
    expect(refused.code).toBe('conflict')
    const lateFailure = as(user, (tx) =>
      failFileIngest(tx, file.id, 'The late reader gave up.', { claimedBy: late }),
    )
    expect(await lateFailure).toBeNull()
    expect(await chunkCount(file.id)).toBe(0)
    expect(await db.asService((tx) => renewFileIngestLeases(tx, renewal(late, file.id)))).toEqual({
      held: [],
      lost: [file.id],
    })

    const ready = await as(user, (tx) =>
      completeFileIngest(tx, file.id, { chunks: [passage('The copy.')] }, { claimedBy: next }),
    )
    expect(ready).toMatchObject({ status: 'ready', chunkCount: 1, attempts: 2, ingestOwner: null })
    expect(await chunkCount(file.id)).toBe(1)
  })

  it('are renewed only by the reader holding them', async () => {
    const user = await createTestUser(db)
    const file = await as(user, (tx) => createFile(tx, upload()))
    const reader = randomUUID()
    await as(user, (tx) => claimFileIngest(tx, file.id, claim(reader, 1)))
    const before = (await fileRow(file.id))?.ingestLeaseUntil?.getTime() ?? 0
    const renewed = await db.asService((tx) =>
      renewFileIngestLeases(tx, { ...renewal(reader, file.id), leaseSeconds: 600 }),
    )
    expect(renewed).toEqual({ held: [file.id], lost: [] })
    expect((await fileRow(file.id))?.ingestLeaseUntil?.getTime()).toBeGreaterThan(before)
    expect(
      await db.asService((tx) => renewFileIngestLeases(tx, renewal(randomUUID(), file.id))),
    ).toEqual({ held: [], lost: [file.id] })
    const unclaimed = await as(user, (tx) => createFile(tx, upload('unclaimed.md')))
    expect(
      await db.asService((tx) => renewFileIngestLeases(tx, renewal(reader, unclaimed.id))),
    ).toEqual({ held: [], lost: [] })
  })

  it('leave files being read to their reader when a sweep looks for stuck ones', async () => {
    const user = await createTestUser(db)
    const live = await as(user, (tx) => createFile(tx, upload('live.md')))
    const lost = await as(user, (tx) => createFile(tx, upload('lost.md')))
    const waiting = await as(user, (tx) => createFile(tx, upload('waiting.md')))
    await as(user, (tx) => claimFileIngest(tx, live.id, claim(randomUUID())))
    await as(user, (tx) => claimFileIngest(tx, lost.id, claim(randomUUID())))
    await expireLease(lost.id)

    const swept = await db.asService((tx) => recoverStuckFiles(tx, { unclaimedSeconds: 600 }))
    const ids = swept.requeue.map((f) => f.id)
    expect(ids).toContain(lost.id)
    expect(ids).not.toContain(live.id)
    // Just uploaded: its own server is about to read it.
    expect(ids).not.toContain(waiting.id)
    expect(swept.failed.map((f) => f.id)).not.toContain(live.id)

    // The embedded database has one server: at its start every claim is of a stopped run.
    const atStart = await db.asService((tx) => recoverStuckFiles(tx, { releaseClaims: true }))
    expect(atStart.requeue.map((f) => f.id)).toEqual(
      expect.arrayContaining([live.id, lost.id, waiting.id]),
    )
    expect(await fileRow(live.id)).toMatchObject({ ingestOwner: null, attempts: 1 })
  })
})

const renewal = (owner: string, fileId: string) => ({ owner, fileIds: [fileId], leaseSeconds: 60 })

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
