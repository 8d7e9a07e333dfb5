import type { Embedder } from '@parley/llm'
import { LRUCache } from 'lru-cache'
import { type EmbedWho, embedQuery, type QueryEmbedding } from './question-embedding.ts'

/** Searches kept per embedder: a person pages, narrows and comes back within minutes. */
const maxEntries = 2_000
const ttlMs = 10 * 60_000

const caches = new WeakMap<Embedder, LRUCache<string, QueryEmbedding>>()

/**
 * A search's embedding: made once per user and query for ten minutes, so that the next page of
 * the same search is neither paid for again nor ranked against a different vector (its cursor
 * would skip or repeat hits). `paid` is false when it came from the cache: no new cost to record.
 * Null when semantic search is off or the endpoint failed (keywords only; a failure is not kept).
 */
export async function searchEmbedding(
  embedder: Embedder | undefined,
  userId: string,
  query: string,
  who: EmbedWho,
): Promise<{ embedding: QueryEmbedding; paid: boolean } | null> {
  if (!embedder) return null
  let cache = caches.get(embedder)
  if (!cache) {
    cache = new LRUCache({ max: maxEntries, ttl: ttlMs })
    caches.set(embedder, cache)
  }
  const key = `${userId}\u0000${query}`
  const kept = cache.get(key)
  if (kept) return { embedding: kept, paid: false }
  const embedding = await embedQuery(embedder, query, who)
  if (!embedding) return null
  cache.set(key, embedding)
  return { embedding, paid: true }
}
