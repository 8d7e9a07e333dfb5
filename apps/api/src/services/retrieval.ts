import { insertUsageEvent, type RetrievedChunk, retrieveChunks, type Tx } from '@parley/db'
import type { Embedder } from '@parley/llm'
import type { NewUsageEvent } from '@parley/schema/contracts'
import { safeError } from '../errors.ts'
import type { ContextPassage, ContextStep, PreparedTurn, TurnContext } from './chat-turn/index.ts'
import { embedQuery, type QueryEmbedding, questionChars } from './question-embedding.ts'

export { embedQuery, type QueryEmbedding } from './question-embedding.ts'

/** Passages a turn reads at most (fewer when they do not fit the model's budget). */
export const passagesPerTurn = 8

/** The operation name of a question's embedding when retrieval uses it. */
export const retrieveOperation = 'chat.retrieve'

/**
 * The **context** step of files: when the conversation reads files, the passages of those files
 * that best match the user's message (keyword and, with embeddings, semantic matches fused), under
 * the caller's row-level security. A conversation without files costs no query at all; a failed
 * retrieval is logged and the turn is answered without passages.
 *
 * The question's embedding never holds the turn's transaction open: a send's was started before
 * the transaction, and when it has not arrived yet (or, for a regenerate, was not started), the
 * passages are read in a short transaction of their own once the embedding is there.
 */
export function retrievalStep(options: { embedder: Embedder | undefined }): ContextStep {
  return async (tx, ctx, turn) => {
    const scope = turn.conversation.fileScope
    if (scope.mode === 'none') return []
    const question = turn.questionEmbedding
    const fileIds = scope.mode === 'files' ? scope.fileIds : undefined
    if (!options.embedder) return retrieve(tx, ctx, turn, { embedding: null, fileIds })
    const ready = question?.settled
    if (question && ready !== undefined) {
      return retrieve(tx, ctx, turn, { embedding: ready, fileIds })
    }
    const embedder = options.embedder
    return {
      async later(read) {
        const embedding = question
          ? await question.result
          : await embedQuery(embedder, questionOf(turn), {
              requestId: ctx.requestId,
              logger: ctx.logger,
              operation: retrieveOperation,
            })
        return read((later) => retrieve(later, ctx, turn, { embedding, fileIds }))
      },
    }
  }
}

const questionOf = (turn: PreparedTurn) => turn.userMessage.content.slice(0, questionChars)

/** The passages for the turn's question, with the embedding's cost recorded (once) in `tx`. */
async function retrieve(
  tx: Tx,
  ctx: TurnContext,
  turn: PreparedTurn,
  { embedding, fileIds }: { embedding: QueryEmbedding | null; fileIds: string[] | undefined },
): Promise<ContextPassage[]> {
  // Paid for whatever the retrieval does next.
  const question = turn.questionEmbedding
  let usage: NewUsageEvent | null =
    embedding && !question ? { ...embedding.usage, promptName: retrieveOperation } : null
  if (embedding && question) usage = question.claimUsage(retrieveOperation)
  if (usage) await insertUsageEvent(tx, { ...usage, conversationId: turn.conversation.id })
  try {
    // A savepoint: a failed retrieval must not abort the turn's own transaction.
    const chunks = await tx.transaction((savepoint) =>
      retrieveChunks(savepoint, {
        query: questionOf(turn),
        ...(embedding ? { embedding: embedding.vector, embeddingModel: embedding.model } : {}),
        ...(fileIds ? { fileIds } : {}),
        limit: passagesPerTurn,
      }),
    )
    return chunks.map(toPassage)
  } catch (error) {
    ctx.logger.warn({ err: safeError(error) }, 'retrieval failed: answering without passages')
    return []
  }
}

function toPassage(chunk: RetrievedChunk): ContextPassage {
  const where = [chunk.fileName, chunk.page ? `page ${chunk.page}` : null, ...chunk.headingPath]
  return {
    text: `(${where.filter(Boolean).join(' › ')})\n${chunk.content}`,
    source: {
      chunkId: chunk.chunkId,
      fileId: chunk.fileId,
      fileName: chunk.fileName,
      page: chunk.page,
      headingPath: chunk.headingPath,
      // The passage's best-matching stretch, verbatim: always a piece of the passage's text.
      snippet: chunk.snippet,
    },
  }
}
