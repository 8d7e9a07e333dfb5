import {
  claimFileIngest,
  completeFileIngest,
  type Database,
  DbError,
  failFileIngest,
  type IngestClaim,
  insertUsageEvent,
  type Tx,
} from '@parley/db'
import { DocumentError, type DocumentReader, type ExtractedDocument } from '@parley/documents'
import { type Embedder, type EmbeddingSpend, LlmError } from '@parley/llm'
import type { VerifiedClaims } from '@parley/schema/contracts'
import type { Logger } from 'pino'
import { safeError } from '../../errors.ts'
import type { FileStorage } from '../file-storage/index.ts'
import { embeddingUsage } from '../question-embedding.ts'
import type { IngestJob } from './ingest-queue.ts'

export interface IngestDeps {
  db: Database
  storage: FileStorage
  reader: DocumentReader
  /** Absent: passages are stored without embeddings (keyword retrieval only). */
  embedder: Embedder | undefined
  logger: Logger
}

/** The usage rows of file embeddings carry this operation name (they count toward budgets). */
export const embedOperation = 'files.embed'

/** The owner's claims: a file's background work runs under their row-level security. */
export const ownerClaims = (userId: string): VerifiedClaims => ({
  sub: userId,
  role: 'authenticated',
})

/** A transaction as the file's owner; work they started goes on even if they are disabled since. */
export function asOwner(db: Database, userId: string) {
  return <T>(fn: (tx: Tx) => Promise<T>) =>
    db.withUser(ownerClaims(userId), fn, { evenIfDisabled: true })
}

/**
 * Reads a stored file into passages (off the event loop), embeds them when semantic search is
 * on, and stores them with the file's `ready` status in one transaction; any failure marks it
 * `failed` with a reason a person understands, and stores no passage. Each embedding request's
 * cost is recorded as soon as it is paid, whatever becomes of the file.
 * It first claims the file for this server (`claim`), so no other server reads it meanwhile;
 * when the claim is lost to another server (`signal` aborts), this run stops and records nothing
 * but what it already paid.
 */
export async function ingestFile(
  deps: IngestDeps,
  job: IngestJob,
  claim: IngestClaim,
  signal: AbortSignal,
): Promise<void> {
  const owner = asOwner(deps.db, job.ownerId)
  // Counts this try first: a file whose reading stops the server is given up after a few.
  if (!(await owner((tx) => claimFileIngest(tx, job.fileId, claim)))) return
  const claimedBy = { claimedBy: claim.owner }
  try {
    const bytes = await deps.storage.get(job.storageKey)
    if (!bytes) throw new DocumentError('corrupt', 'The uploaded file is missing from storage.')
    const document = await deps.reader.read(bytes, job.name, signal)
    const { embedder } = deps
    const embedded = embedder
      ? await embed(embedder, document, signal, (spend) =>
          owner((tx) =>
            insertUsageEvent(
              tx,
              embeddingUsage(embedder.model, embedOperation, `ingest:${job.fileId}`, spend),
            ),
          ),
        )
      : null
    await owner((tx) =>
      completeFileIngest(
        tx,
        job.fileId,
        {
          pageCount: document.pageCount,
          embeddingModel: embedded?.model ?? null,
          chunks: document.chunks.map((chunk, i) => ({
            page: chunk.page,
            headingPath: chunk.headingPath,
            content: chunk.text,
            tokenCount: chunk.tokenCount,
            ...(embedded ? { embedding: embedded.vectors[i] ?? [] } : {}),
          })),
        },
        claimedBy,
      ),
    )
  } catch (error) {
    // Another server took the file over: it records the outcome.
    if (signal.aborted) return
    // Deleted while it was read, or taken over by another server: nothing left to record.
    if (error instanceof DbError && error.code === 'conflict') return
    const reason = failureReason(deps.logger, job, error)
    await owner((tx) => failFileIngest(tx, job.fileId, reason, claimedBy))
  }
}

/** Every passage's embedding, in the embedder's batches; `paid` records each batch's cost. */
async function embed(
  embedder: Embedder,
  document: ExtractedDocument,
  signal: AbortSignal,
  paid: (spend: EmbeddingSpend) => Promise<unknown>,
) {
  const result = await embedder.embed(
    document.chunks.map((chunk) => chunk.text),
    { signal, onBatch: paid },
  )
  return { model: embedder.model, vectors: result.vectors }
}

/** The reason a person reads on a failed file; unexpected failures are logged in full. */
function failureReason(logger: Logger, job: IngestJob, error: unknown): string {
  if (error instanceof DocumentError) return error.message
  logger.error({ err: safeError(error), fileId: job.fileId }, 'file ingest failed')
  if (error instanceof LlmError) {
    return 'The embeddings service did not answer, so the file could not be indexed. Upload it again later.'
  }
  return 'The file could not be processed. Upload it again to retry.'
}
