import { insertUsageEvent, search as searchAll } from '@parley/db'
import { searchQuery, searchResults } from '@parley/schema/contracts'
import { Hono } from 'hono'
import type { AppEnv } from '../env.ts'
import { validate } from '../middleware/validate.ts'
import { searchEmbedding } from '../services/search-embeddings.ts'
import { docs } from './docs.ts'

/** `GET /search`: the caller's conversation titles, messages and file passages. */
export const search = new Hono<AppEnv>().get(
  '/',
  docs('search', 'Search the caller’s conversations, messages and files', {
    200: {
      description:
        'Best matches first; `semantic` says whether meaning, not only words, was matched',
      schema: searchResults,
    },
  }),
  validate('query', searchQuery),
  async (c) => {
    const query = c.req.valid('query')
    const semantic = await searchEmbedding(c.var.deps.files.embedder, c.var.claims.sub, query.q, {
      requestId: c.var.requestId,
      logger: c.var.logger,
      operation: 'search.embed',
    })
    const embedding = semantic?.embedding
    const results = await c.var.deps.db.withUser(c.var.claims, async (tx) => {
      if (semantic?.paid) await insertUsageEvent(tx, semantic.embedding.usage)
      return searchAll(tx, {
        ...query,
        ...(embedding ? { embedding: embedding.vector, embeddingModel: embedding.model } : {}),
      })
    })
    return c.json(results)
  },
)
