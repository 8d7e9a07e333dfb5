import { type Database, insertUsageEvent, storeMessageEmbeddings } from '@parley/db'
import type { Embedder, EmbeddingResult } from '@parley/llm'
import type { NewUsageEvent, VerifiedClaims } from '@parley/schema/contracts'
import { embeddingUsage, messageEmbedOperation } from '../question-embedding.ts'

/** One message of one user to embed: its text, or the vector a turn already made of it. */
export interface MessageToIndex {
  messageId: string
  userId: string
  text: string
  /** Already embedded (a send's question), with its cost when that is still to be recorded. */
  embedded?: { vector: number[]; model: string; usage: NewUsageEvent | null }
}

/** The longest wait for one batch's embeddings (in the background, outside any transaction). */
const batchTimeoutMs = 30_000

const ownerClaims = (userId: string): VerifiedClaims => ({ sub: userId, role: 'authenticated' })

/**
 * Embeds one user's messages in one call (those not embedded yet) and stores the vectors with
 * the call's cost as a usage row, in one transaction as the owner (their row-level security).
 * Throws when the endpoint or the database fails; nothing is stored then.
 */
export async function embedMessages(
  db: Database,
  embedder: Embedder,
  userId: string,
  messages: readonly MessageToIndex[],
  requestId: string,
): Promise<number> {
  const made = (m: MessageToIndex) => (m.embedded?.model === embedder.model ? m.embedded : null)
  const fresh = messages.filter((m) => !made(m) && m.text.trim() !== '')
  const started = performance.now()
  let result: EmbeddingResult | null = null
  let failure: { error: unknown } | null = null
  try {
    if (fresh.length > 0) {
      const signal = AbortSignal.timeout(batchTimeoutMs)
      result = await embedder.embed(
        fresh.map((m) => m.text),
        { signal },
      )
    }
  } catch (error) {
    // The vectors already made (and paid for) are still stored below.
    failure = { error }
  }
  const vectors = new Map(fresh.map((m, i) => [m.messageId, result?.vectors[i]]))
  const items = messages.flatMap((m) => {
    const embedding = made(m)?.vector ?? vectors.get(m.messageId)
    return embedding ? [{ messageId: m.messageId, embedding }] : []
  })
  const usages = messages.flatMap((m) => made(m)?.usage ?? [])
  if (result)
    usages.push(
      embeddingUsage(embedder.model, messageEmbedOperation, requestId, {
        ...result,
        latencyMs: performance.now() - started,
      }),
    )
  const stored =
    items.length === 0 && usages.length === 0
      ? 0
      : // Work the owner started goes on even if an admin disabled them since.
        await db.withUser(
          ownerClaims(userId),
          async (tx) => {
            for (const usage of usages) await insertUsageEvent(tx, usage)
            return items.length > 0
              ? storeMessageEmbeddings(tx, { model: embedder.model, items })
              : 0
          },
          { evenIfDisabled: true },
        )
  if (failure) throw failure.error
  return stored
}
