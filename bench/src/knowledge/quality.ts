import {
  completeFileIngest,
  createFile,
  type Database,
  listFileChunks,
  retrieveChunks,
} from '@parley/db'
import { createTestDatabase, createTestUser, type TestUser } from '@parley/db/testing'
import { createEmbedder, type Embedder } from '@parley/llm'
import type { BenchReport } from '../report.ts'
import {
  type CorpusChunk,
  chunkCorpus,
  evaluateRanking,
  keywordRanking,
  loadQualitySet,
  type QualityScores,
  type RankChunks,
} from './quality-set.ts'

const embeddingsUrl = process.env.BENCH_EMBEDDINGS_URL?.trim() || undefined

/** The chunks as stored: each corpus chunk's id under its database id, and its embedding. */
interface StoredCorpus {
  corpusIdOf: Map<string, string>
  vectors: Map<string, number[]> | null
}

/**
 * Retrieval quality on a labelled set written against the Markdown docs that installed npm
 * packages ship: the database's own `retrieve_chunks` (keyword only; hybrid and vector-only
 * when `BENCH_EMBEDDINGS_URL` names an embeddings endpoint), beside a BM25 baseline in memory.
 */
export async function benchQuality(): Promise<BenchReport> {
  const set = await loadQualitySet()
  const chunks = await chunkCorpus(set)
  const embedder = embeddingsUrl ? qualityEmbedder(embeddingsUrl) : undefined
  const db = await createTestDatabase()
  try {
    const user = await createTestUser(db)
    const stored = await storeCorpus(db, user, chunks, embedder)
    const scores: [string, QualityScores][] = [
      ['BM25 in memory (baseline)', await evaluateRanking(set, chunks, keywordRanking(chunks))],
      [
        'keyword (retrieve_chunks)',
        await evaluateRanking(set, chunks, dbRanking(db, user, stored)),
      ],
    ]
    if (embedder && stored.vectors) {
      const vectors = stored.vectors
      scores.push(
        ['vector only', await evaluateRanking(set, chunks, vectorRanking(embedder, vectors))],
        [
          'hybrid (retrieve_chunks)',
          await evaluateRanking(set, chunks, dbRanking(db, user, stored, embedder)),
        ],
      )
    }
    return {
      name: 'knowledge-quality',
      description: `retrieval quality: ${set.questions.length} questions over ${set.corpus.length} package docs, ${chunks.length} chunks`,
      rows: scores.map(([method, score]) => ({
        method,
        'recall@5': score.recallAt5.toFixed(3),
        'recall@10': score.recallAt10.toFixed(3),
        'nDCG@10': score.ndcgAt10.toFixed(3),
      })),
      details: { scores: Object.fromEntries(scores), embeddingModel: embedder?.model ?? null },
      notes: [
        'Goals: keyword recall@10 >= 0.8; hybrid beats keyword and vector each by >= 3 points.',
        embedder
          ? `embeddings: ${embedder.model} at ${embeddingsUrl}`
          : 'vector-only and hybrid skipped: set BENCH_EMBEDDINGS_URL (and BENCH_EMBEDDINGS_MODEL, BENCH_EMBEDDINGS_API_KEY) to an embeddings endpoint',
      ],
    }
  } finally {
    await db.close()
  }
}

function qualityEmbedder(baseURL: string): Embedder {
  const model = process.env.BENCH_EMBEDDINGS_MODEL?.trim() || 'text-embedding-3-small'
  return createEmbedder({
    baseURL,
    apiKey: process.env.BENCH_EMBEDDINGS_API_KEY ?? '',
    model,
    // A model the price table does not know (a local server) is measured, not billed.
    priceMicroUsdPerMillionInput: 0,
  })
}

/** Stores every corpus file as one ready file of the user, with embeddings when there are any. */
async function storeCorpus(
  db: Database,
  user: TestUser,
  chunks: readonly CorpusChunk[],
  embedder: Embedder | undefined,
): Promise<StoredCorpus> {
  const byFile = Map.groupBy(chunks, (chunk) => `${chunk.package}/${chunk.file}`)
  const corpusIdOf = new Map<string, string>()
  const vectors = embedder ? new Map<string, number[]>() : null
  for (const [name, fileChunks] of byFile) {
    const embedded = embedder ? (await embedder.embed(fileChunks.map((c) => c.text))).vectors : []
    await db.withUser(user.claims, async (tx) => {
      const file = await createFile(tx, {
        name: name.slice(-255),
        kind: 'markdown',
        mimeType: 'text/markdown',
        sizeBytes: 0,
        sha256: '0'.repeat(64),
        storageKey: `bench/${name}`,
      })
      await completeFileIngest(tx, file.id, {
        embeddingModel: embedder?.model ?? null,
        chunks: fileChunks.map((chunk, i) => ({
          page: chunk.page,
          headingPath: chunk.headingPath,
          content: chunk.text,
          tokenCount: chunk.tokenCount,
          ...(embedded[i] ? { embedding: embedded[i] } : {}),
        })),
      })
      for (const row of await listFileChunks(tx, file.id)) {
        const chunk = fileChunks[row.ordinal]
        if (!chunk) throw new Error(`no corpus chunk ${row.ordinal} of ${name}`)
        corpusIdOf.set(row.id, chunk.id)
        const vector = embedded[row.ordinal]
        if (vectors && vector) vectors.set(chunk.id, vector)
      }
    })
  }
  return { corpusIdOf, vectors }
}

/** The database's retrieval, as the chat turn calls it, mapped back to corpus ids. */
function dbRanking(
  db: Database,
  user: TestUser,
  stored: StoredCorpus,
  embedder?: Embedder,
): RankChunks {
  return async (question) => {
    const embedding = embedder ? (await embedder.embed([question])).vectors[0] : undefined
    const found = await db.withUser(user.claims, (tx) =>
      retrieveChunks(tx, {
        query: question,
        limit: 10,
        ...(embedder && embedding ? { embedding, embeddingModel: embedder.model } : {}),
      }),
    )
    return found.map((chunk) => stored.corpusIdOf.get(chunk.chunkId) ?? chunk.chunkId)
  }
}

/** Cosine similarity over the same embeddings, in memory: the vector side alone. */
function vectorRanking(embedder: Embedder, vectors: ReadonlyMap<string, number[]>): RankChunks {
  const dot = (a: readonly number[], b: readonly number[]) =>
    a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0)
  const norm = (a: readonly number[]) => Math.sqrt(dot(a, a)) || 1
  return async (question) => {
    const [query] = (await embedder.embed([question])).vectors
    if (!query) return []
    return [...vectors]
      .map(([id, vector]) => ({ id, score: dot(query, vector) / (norm(query) * norm(vector)) }))
      .sort((a, b) => b.score - a.score)
      .map((entry) => entry.id)
  }
}
