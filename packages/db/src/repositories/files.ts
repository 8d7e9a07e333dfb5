import {
  type FileIngest,
  type FileResource,
  fileIngest,
  type NewFile,
  newFile,
  type Page,
  type PageQuery,
  pageQuery,
  uuid,
} from '@parley/schema/contracts'
import { documentChunks, files } from '@parley/schema/tables'
import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lt, ne, or, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Tx } from '../client.ts'
import { decodeCursor, pageFrom, timeAndIdCursor } from '../cursor.ts'
import { DbError, parseInput } from '../errors.ts'
import { executedRows, rowFromJson } from '../json-row.ts'

export type FileRow = typeof files.$inferSelect

// Row-level security already hides other users' rows; saying so lets the planner use the
// (user_id, created_at, id) index.
const ownedByCaller = eq(files.userId, sql`(select auth.uid())`)

/** The API's view of a file row. */
export function toFileResource(row: FileRow): FileResource {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    mimeType: row.mimeType,
    sizeBytes: row.sizeBytes,
    status: row.status,
    error: row.error,
    pageCount: row.pageCount,
    chunkCount: row.chunkCount,
    embedded: row.embeddingModel !== null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

/** Records an upload as `processing`; counts against the `files` and `storedBytes` quotas. */
export async function createFile(tx: Tx, input: NewFile): Promise<FileRow> {
  const values = parseInput(newFile, input)
  const [row] = await tx.insert(files).values(values).returning()
  if (!row) throw new Error('insert returned no row')
  return row
}

/** The caller's file, or null when it does not exist or belongs to someone else. */
export async function getFile(tx: Tx, id: string): Promise<FileRow | null> {
  const fileId = parseInput(uuid, id)
  const [row] = await tx
    .select()
    .from(files)
    .where(and(eq(files.id, fileId), ownedByCaller))
  return row ?? null
}

/** How many of the caller's files wait to be read (`processing`). */
export async function countProcessingFiles(tx: Tx): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::integer` })
    .from(files)
    .where(and(ownedByCaller, eq(files.status, 'processing')))
  return row?.n ?? 0
}

/** The caller's files, newest first. */
export async function listFiles(tx: Tx, query: PageQuery = {}): Promise<Page<FileRow>> {
  const { limit, cursor } = parseInput(pageQuery, query)
  const after = cursor ? decodeCursor(cursor, timeAndIdCursor) : undefined
  const rows = await tx
    .select()
    .from(files)
    .where(
      and(
        ownedByCaller,
        after
          ? sql`(${files.createdAt}, ${files.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(files.createdAt), desc(files.id))
    .limit(limit + 1)
  return pageFrom(rows, limit, (last) => [last.createdAt.toISOString(), last.id])
}

/**
 * Deletes the caller's file and, by cascade, its passages. Returns where its original is stored,
 * for the caller to remove, or null when there was no such file.
 */
export async function deleteFile(tx: Tx, id: string): Promise<{ storageKey: string } | null> {
  const fileId = parseInput(uuid, id)
  const [row] = await tx
    .delete(files)
    .where(and(eq(files.id, fileId), ownedByCaller))
    .returning({ storageKey: files.storageKey })
  return row ?? null
}

const ingestClaim = z.strictObject({
  /** The server instance that reads the file. */
  owner: uuid,
  /** The claim holds this long unless renewed. */
  leaseSeconds: z.number().positive().max(86_400),
  /** A file already claimed this many times is not claimed again (the sweep fails it). */
  maxAttempts: z.number().int().min(1),
})

export type IngestClaim = z.input<typeof ingestClaim>

const leaseUntil = (seconds: number) => sql`now() + make_interval(secs => ${seconds})`

/** A processing file nobody reads now: never claimed, or its reader's lease ran out. */
const unclaimedOrExpired = or(isNull(files.ingestOwner), lt(files.ingestLeaseUntil, sql`now()`))

/**
 * Claims a processing file for one reader, in one statement, and counts the attempt: only a
 * file nobody reads now (never claimed, or its reader's lease ran out) and claimed fewer than
 * `maxAttempts` times. Null when another reader holds it, or it is gone, done or worn out.
 */
export async function claimFileIngest(
  tx: Tx,
  id: string,
  claim: IngestClaim,
): Promise<FileRow | null> {
  const fileId = parseInput(uuid, id)
  const { owner, leaseSeconds, maxAttempts } = parseInput(ingestClaim, claim)
  const [row] = await tx
    .update(files)
    .set({
      ingestOwner: owner,
      ingestLeaseUntil: leaseUntil(leaseSeconds),
      attempts: sql`${files.attempts} + 1`,
    })
    .where(
      and(
        eq(files.id, fileId),
        eq(files.status, 'processing'),
        lt(files.attempts, maxAttempts),
        unclaimedOrExpired,
      ),
    )
    .returning()
  return row ?? null
}

const leaseRenewal = z.strictObject({
  owner: uuid,
  fileIds: z.array(uuid).max(10_000),
  leaseSeconds: z.number().positive().max(86_400),
})

/**
 * Renews, in one statement, a reader's claims on the files it is reading. Returns the ids it
 * still holds, and those another reader has taken over (this one stalled past its lease); a file
 * finished, deleted or not claimed yet is in neither. A system job (service role).
 */
export async function renewFileIngestLeases(
  tx: Tx,
  renewal: z.input<typeof leaseRenewal>,
): Promise<{ held: string[]; lost: string[] }> {
  const { owner, fileIds, leaseSeconds } = parseInput(leaseRenewal, renewal)
  if (fileIds.length === 0) return { held: [], lost: [] }
  const held = await tx
    .update(files)
    .set({ ingestLeaseUntil: leaseUntil(leaseSeconds) })
    .where(
      and(inArray(files.id, fileIds), eq(files.status, 'processing'), eq(files.ingestOwner, owner)),
    )
    .returning({ id: files.id })
  const lost = await tx
    .select({ id: files.id })
    .from(files)
    .where(
      and(inArray(files.id, fileIds), eq(files.status, 'processing'), ne(files.ingestOwner, owner)),
    )
  return { held: held.map((row) => row.id), lost: lost.map((row) => row.id) }
}

/** Passages stored per statement when a file is completed (a few MB of JSON with vectors). */
export const fileChunkBatchSize = 100

/** The most passages one file may have (as the contract says). */
const maxFileChunks = 100_000

/**
 * Stores all of a processing file's passages (with embeddings or not) and marks it `ready` with
 * its counts, in batches of `batchSize` passages within the caller's transaction: a bad passage,
 * in any batch, throws, and the rolled-back transaction leaves the file `processing` with none.
 * With `claimedBy`, only while that reader still holds the file's claim. Refused with
 * `DbError('conflict')` when the file is gone, no longer `processing` or claimed by another
 * reader. The stored `embeddingModel` is null when the database cannot keep embeddings.
 */
export async function completeFileIngest(
  tx: Tx,
  id: string,
  ingest: FileIngest,
  { claimedBy, batchSize = fileChunkBatchSize }: { claimedBy?: string; batchSize?: number } = {},
): Promise<FileRow> {
  const fileId = parseInput(uuid, id)
  const owner = claimedBy === undefined ? null : parseInput(uuid, claimedBy)
  if (ingest.chunks.length > maxFileChunks) {
    throw new DbError('invalid_input', `chunks: at most ${maxFileChunks} passages per file`)
  }
  const batches = Math.max(1, Math.ceil(ingest.chunks.length / batchSize))
  let dimensions: number | undefined
  let last: unknown[] = []
  let pageCount: number | null = null
  let embeddingModel: string | null = null
  for (let b = 0; b < batches; b++) {
    const start = b * batchSize
    const batch = parseInput(fileIngest, {
      ...ingest,
      chunks: ingest.chunks.slice(start, start + batchSize),
    })
    ;({ pageCount, embeddingModel } = batch)
    const batchDimensions = batch.chunks[0]?.embedding?.length
    if (b > 0 && batchDimensions !== dimensions) {
      throw new DbError('invalid_input', 'all embeddings of a file have the same dimension')
    }
    dimensions = batchDimensions
    const payload = batch.chunks.map((chunk, i) => ({ ordinal: start + i, ...chunk }))
    // The last batch goes with the statement that marks the file ready.
    if (b < batches - 1) await addChunks(tx, fileId, embeddingModel, payload, owner)
    else last = payload
  }
  const [row] = executedRows<{ file: unknown }>(
    await tx.execute(
      sql`select to_jsonb(public.complete_file_ingest(${fileId}::uuid, ${pageCount}::integer, ${embeddingModel}::text, ${JSON.stringify(last)}::jsonb, ${owner}::uuid)) as file`,
    ),
  )
  if (!row?.file) throw new Error('complete_file_ingest returned nothing')
  return rowFromJson(files, row.file)
}

/** One batch of a processing file's passages, before its last (which completes the file). */
async function addChunks(
  tx: Tx,
  fileId: string,
  embeddingModel: string | null,
  chunks: unknown[],
  owner: string | null,
): Promise<void> {
  await tx.execute(
    sql`select public.add_file_chunks(${fileId}::uuid, ${embeddingModel}::text, ${JSON.stringify(chunks)}::jsonb, ${owner}::uuid)`,
  )
}

const failureReason = z.string().trim().min(1).max(1000)

/**
 * Marks a processing file `failed` with a reason a person understands; with `claimedBy`, only
 * while that reader still holds its claim. Null when nothing changed.
 */
export async function failFileIngest(
  tx: Tx,
  id: string,
  reason: string,
  { claimedBy }: { claimedBy?: string } = {},
): Promise<FileRow | null> {
  const fileId = parseInput(uuid, id)
  const error = parseInput(failureReason, reason)
  const owner = claimedBy === undefined ? undefined : parseInput(uuid, claimedBy)
  const [row] = await tx
    .update(files)
    .set({ status: 'failed', error, ingestOwner: null, ingestLeaseUntil: null })
    .where(
      and(
        eq(files.id, fileId),
        eq(files.status, 'processing'),
        owner === undefined ? undefined : eq(files.ingestOwner, owner),
      ),
    )
    .returning()
  return row ?? null
}

export const interruptedTooOften =
  'Processing this file was interrupted several times, so it was stopped. Upload it again to retry.'

const stuckFilesInput = z.strictObject({
  maxAttempts: z.number().int().min(1).default(3),
  /** A file never claimed is taken only once it has waited this long (its server may be busy). */
  unclaimedSeconds: z.number().min(0).default(0),
  /** Drops every claim first: for a database only this server uses (embedded), at start. */
  releaseClaims: z.boolean().default(false),
})

/**
 * For recovery at start and the periodic sweep, as the service role: processing files nobody
 * reads now (their reader's lease ran out, or none claimed them and they waited
 * `unclaimedSeconds`). Those already claimed `maxAttempts` times are marked `failed`; the rest
 * are returned, oldest first, for the caller to claim and read. Files with a live claim are left
 * to their reader.
 */
export async function recoverStuckFiles(
  tx: Tx,
  input: z.input<typeof stuckFilesInput> = {},
): Promise<{ requeue: FileRow[]; failed: FileRow[] }> {
  const { maxAttempts, unclaimedSeconds, releaseClaims } = parseInput(stuckFilesInput, input)
  if (releaseClaims) {
    await tx
      .update(files)
      .set({ ingestOwner: null, ingestLeaseUntil: null })
      .where(and(eq(files.status, 'processing'), isNotNull(files.ingestOwner)))
  }
  const failed = await tx
    .update(files)
    .set({
      status: 'failed',
      error: interruptedTooOften,
      ingestOwner: null,
      ingestLeaseUntil: null,
    })
    .where(
      and(eq(files.status, 'processing'), gte(files.attempts, maxAttempts), unclaimedOrExpired),
    )
    .returning()
  const waitedEnough = sql`${files.createdAt} <= now() - make_interval(secs => ${unclaimedSeconds})`
  const requeue = await tx
    .select()
    .from(files)
    .where(
      and(
        eq(files.status, 'processing'),
        lt(files.attempts, maxAttempts),
        or(and(isNull(files.ingestOwner), waitedEnough), lt(files.ingestLeaseUntil, sql`now()`)),
      ),
    )
    .orderBy(asc(files.createdAt), asc(files.id))
  return { requeue, failed }
}

export interface FileChunkRow {
  id: string
  ordinal: number
  page: number | null
  headingPath: string[]
  content: string
  tokenCount: number
  embeddingModel: string | null
}

/** The passages of one of the caller's files, in document order (empty for someone else's). */
export async function listFileChunks(tx: Tx, fileId: string): Promise<FileChunkRow[]> {
  const id = parseInput(uuid, fileId)
  return tx
    .select({
      id: documentChunks.id,
      ordinal: documentChunks.ordinal,
      page: documentChunks.page,
      headingPath: documentChunks.headingPath,
      content: documentChunks.content,
      tokenCount: documentChunks.tokenCount,
      embeddingModel: documentChunks.embeddingModel,
    })
    .from(documentChunks)
    .where(eq(documentChunks.fileId, id))
    .orderBy(asc(documentChunks.ordinal))
}
