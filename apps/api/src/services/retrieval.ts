import { insertUsageEvent, type RetrievedChunk, retrieveChunks } from '@parley/db'
import type { Embedder } from '@parley/llm'
import type { NewUsageEvent } from '@parley/schema/contracts'
import type { Logger } from 'pino'
import { safeError } from '../errors.ts'
import type { ContextPassage, ContextStep } from './chat-turn/index.ts'

/** Passages a turn reads at most (fewer when they do not fit the model's budget). */
export const passagesPerTurn = 8

/** What of a long message is matched against passages: its start says what it asks about. */
const questionChars = 2_000

/** The longest wait for a question's embedding (a turn waits for it inside its transaction). */
const embedTimeoutMs = 5_000

export interface QueryEmbedding {
  vector: number[]
  /** The model that made it: only passages embedded by the same model are compared. */
  model: string
  /** The embedding's cost, for the caller to record in its transaction. */
  usage: NewUsageEvent
}

/**
 * Embeds a question for semantic matching, or null: semantic search is off, or the endpoint
 * failed (logged; the caller goes on with keywords alone).
 */
export async function embedQuery(
  embedder: Embedder | undefined,
  text: string,
  who: { requestId: string; logger: Logger; operation: string },
): Promise<QueryEmbedding | null> {
  if (!embedder) return null
  const started = performance.now()
  try {
    const result = await embedder.embed([text], { signal: AbortSignal.timeout(embedTimeoutMs) })
    const vector = result.vectors[0]
    if (!vector) return null
    return {
      vector,
      model: embedder.model,
      usage: {
        requestId: who.requestId,
        provider: 'embeddings',
        model: embedder.model,
        promptName: who.operation,
        inputTokens: result.inputTokens,
        costMicroUsd: result.costMicroUsd,
        latencyMs: Math.round(performance.now() - started),
        status: 'ok',
        attempts: result.attempts,
      },
    }
  } catch (error) {
    who.logger.warn({ err: safeError(error) }, 'query embedding failed: keyword matching only')
    return null
  }
}

/**
 * The **context** step of files: when the conversation reads files, the passages of those files
 * that best match the user's message (keyword and, with embeddings, semantic matches fused), under
 * the caller's row-level security. A conversation without files costs no query at all; a failed
 * retrieval is logged and the turn is answered without passages.
 */
export function retrievalStep(options: { embedder: Embedder | undefined }): ContextStep {
  return async (tx, ctx, turn) => {
    const scope = turn.conversation.fileScope
    if (scope.mode === 'none') return []
    const question = turn.userMessage.content.slice(0, questionChars)
    const embedding = await embedQuery(options.embedder, question, {
      requestId: ctx.requestId,
      logger: ctx.logger,
      operation: 'chat.retrieve',
    })
    // Paid for whatever the retrieval does next.
    if (embedding) {
      await insertUsageEvent(tx, { ...embedding.usage, conversationId: turn.conversation.id })
    }
    try {
      // A savepoint: a failed retrieval must not abort the turn's own transaction.
      const chunks = await tx.transaction((savepoint) =>
        retrieveChunks(savepoint, {
          query: question,
          ...(embedding ? { embedding: embedding.vector, embeddingModel: embedding.model } : {}),
          ...(scope.mode === 'files' ? { fileIds: scope.fileIds } : {}),
          limit: passagesPerTurn,
        }),
      )
      return chunks.map(toPassage)
    } catch (error) {
      ctx.logger.warn({ err: safeError(error) }, 'retrieval failed: answering without passages')
      return []
    }
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
