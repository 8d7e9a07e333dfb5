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
import { and, asc, desc, eq, gte, lt, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Tx } from '../client.ts'
import { decodeCursor, pageFrom, timeAndIdCursor } from '../cursor.ts'
import { parseInput } from '../errors.ts'
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

/**
 * Counts a processing run of a file about to be parsed; null when the file is gone or no longer
 * `processing` (nothing to do).
 */
export async function beginFileIngest(tx: Tx, id: string): Promise<FileRow | null> {
  const fileId = parseInput(uuid, id)
  const [row] = await tx
    .update(files)
    .set({ attempts: sql`${files.attempts} + 1` })
    .where(and(eq(files.id, fileId), eq(files.status, 'processing')))
    .returning()
  return row ?? null
}

/**
 * Stores all of a processing file's passages (with embeddings or not) and marks it `ready` with
 * its counts, in one statement: a bad passage stores nothing and leaves the file `processing`.
 * Refused with `DbError('conflict')` when the file is gone or no longer `processing`. The stored
 * `embeddingModel` is null when the database cannot keep embeddings (no pgvector).
 */
export async function completeFileIngest(tx: Tx, id: string, ingest: FileIngest): Promise<FileRow> {
  const fileId = parseInput(uuid, id)
  const { pageCount, chunks, embeddingModel } = parseInput(fileIngest, ingest)
  const payload = chunks.map((chunk, ordinal) => ({ ordinal, ...chunk }))
  const [row] = executedRows<{ file: unknown }>(
    await tx.execute(
      sql`select to_jsonb(public.complete_file_ingest(${fileId}::uuid, ${pageCount}::integer, ${embeddingModel}::text, ${JSON.stringify(payload)}::jsonb)) as file`,
    ),
  )
  if (!row?.file) throw new Error('complete_file_ingest returned nothing')
  return rowFromJson(files, row.file)
}

const failureReason = z.string().trim().min(1).max(1000)

/** Marks a processing file `failed` with a reason a person understands; null when it was not processing. */
export async function failFileIngest(tx: Tx, id: string, reason: string): Promise<FileRow | null> {
  const fileId = parseInput(uuid, id)
  const error = parseInput(failureReason, reason)
  const [row] = await tx
    .update(files)
    .set({ status: 'failed', error })
    .where(and(eq(files.id, fileId), eq(files.status, 'processing')))
    .returning()
  return row ?? null
}

export const interruptedTooOften =
  'Processing this file was interrupted several times, so it was stopped. Upload it again to retry.'

/**
 * For recovery at start, as the service role: files left `processing` by a stopped server. Those
 * that already started `maxAttempts` runs are marked `failed`; the rest are returned, oldest
 * first, for the caller to process again.
 */
export async function recoverStuckFiles(
  tx: Tx,
  { maxAttempts = 3 }: { maxAttempts?: number } = {},
): Promise<{ requeue: FileRow[]; failed: FileRow[] }> {
  const attempts = parseInput(z.number().int().min(1), maxAttempts)
  const failed = await tx
    .update(files)
    .set({ status: 'failed', error: interruptedTooOften })
    .where(and(eq(files.status, 'processing'), gte(files.attempts, attempts)))
    .returning()
  const requeue = await tx
    .select()
    .from(files)
    .where(and(eq(files.status, 'processing'), lt(files.attempts, attempts)))
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
