import { embeddedMessageChars } from '@parley/db'
import type { Embedder, EmbeddingSpend } from '@parley/llm'
import type { NewUsageEvent } from '@parley/schema/contracts'
import type { Logger } from 'pino'
import { safeError } from '../errors.ts'

/**
 * What of a long message is embedded (as a question and in search over messages): its start says
 * what it is about.
 */
export const questionChars = embeddedMessageChars

/** The operation name of a message's embedding in the usage rows (it counts toward budgets). */
export const messageEmbedOperation = 'messages.embed'

/**
 * The usage row of one paid embeddings request (it counts toward its owner's budget like any
 * model call), recorded under `operation`.
 */
export function embeddingUsage(
  model: string,
  operation: string,
  requestId: string,
  spend: EmbeddingSpend,
): NewUsageEvent {
  return {
    requestId,
    provider: 'embeddings',
    model,
    promptName: operation,
    inputTokens: spend.inputTokens,
    costMicroUsd: spend.costMicroUsd,
    latencyMs: Math.round(spend.latencyMs),
    status: 'ok',
    attempts: spend.attempts,
  }
}

/** The longest wait for a question's embedding; never inside a transaction. */
const embedTimeoutMs = 5_000

export interface QueryEmbedding {
  vector: number[]
  /** The model that made it: only vectors of the same model are compared. */
  model: string
  /** The embedding's cost, for the caller to record in its transaction. */
  usage: NewUsageEvent
}

export interface EmbedWho {
  requestId: string
  logger: Logger
  operation: string
}

/**
 * Embeds a question for semantic matching, or null: semantic search is off, or the endpoint
 * failed or took longer than 5 s (logged; the caller goes on with keywords alone).
 */
export async function embedQuery(
  embedder: Embedder | undefined,
  text: string,
  who: EmbedWho,
  signal?: AbortSignal,
): Promise<QueryEmbedding | null> {
  if (!embedder) return null
  const started = performance.now()
  const timeout = AbortSignal.timeout(embedTimeoutMs)
  try {
    const result = await embedder.embed([text], {
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    })
    const vector = result.vectors[0]
    if (!vector) return null
    return {
      vector,
      model: embedder.model,
      usage: embeddingUsage(embedder.model, who.operation, who.requestId, {
        ...result,
        latencyMs: performance.now() - started,
      }),
    }
  } catch (error) {
    if (!signal?.aborted) {
      who.logger.warn({ err: safeError(error) }, 'query embedding failed: keyword matching only')
    }
    return null
  }
}

/**
 * The embedding of a turn's question, started before the turn's transaction so that no
 * transaction waits for the endpoint. Used by retrieval when the conversation reads files, and
 * kept as the user message's own embedding (search over messages): paid for once, and its cost
 * is recorded once, by whichever use claims it first.
 */
export class QuestionEmbedding {
  readonly text: string
  readonly result: Promise<QueryEmbedding | null>
  readonly #abort = new AbortController()
  #value: QueryEmbedding | null | undefined
  #claimed = false

  constructor(embedder: Embedder, text: string, who: EmbedWho) {
    this.text = text
    this.result = embedQuery(embedder, text, who, this.#abort.signal).then((value) => {
      this.#value = value
      return value
    })
  }

  /** The embedding when it has already arrived (null: it failed), undefined while it is awaited. */
  get settled(): QueryEmbedding | null | undefined {
    return this.#value
  }

  /** Its usage row under `operation`, the first time only: whoever records it pays for it. */
  claimUsage(operation: string): NewUsageEvent | null {
    if (this.#claimed || !this.#value) return null
    this.#claimed = true
    return { ...this.#value.usage, promptName: operation }
  }

  /**
   * The transaction that recorded its usage rolled back (the turn was refused or failed in it):
   * the cost is unrecorded again, for whoever records it next.
   */
  unclaim(): void {
    this.#claimed = false
  }

  /** The turn will not use it (refused, or a repeated send): stops the request if still out. */
  abandon(): void {
    this.#abort.abort()
  }
}
