import { retrieveChunks, search, type Tx } from '@parley/db'
import type { JwtClaims } from '@parley/schema/contracts'
import type { BenchReport } from '../report.ts'
import { measure, round } from '../stats.ts'
import { seededRandom } from './corpus.ts'
import type { KnowledgePart, KnowledgeTarget } from './types.ts'

const iterations = 60
/** Untimed queries first: the figures are a running server's, whose cache holds what it reads. */
const warmup = 20

/** A random unit vector (what an embeddings endpoint returns, statistically speaking). */
function unitVector(next: () => number, dimensions: number): number[] {
  const values = Array.from({ length: dimensions }, () => next() - 0.5)
  const norm = Math.hypot(...values)
  return values.map((v) => v / norm)
}

/** Cycles through the corpus's questions, one per call. */
function questionCycle(questions: string[]): () => string {
  let i = 0
  return () => questions[i++ % questions.length] ?? 'how do I install it?'
}

function cases(target: KnowledgeTarget): Record<string, (() => Promise<unknown>) | null> {
  const { db, seed, corpus, scale, vectors } = target
  const claims: JwtClaims = { sub: seed.userId, role: 'authenticated' }
  const as = <T>(fn: (tx: Tx) => Promise<T>) => db.withUser(claims, fn)
  const next = seededRandom(7)
  const question = questionCycle(corpus.questions)
  const semantic = () => ({
    embedding: unitVector(next, scale.dimensions),
    embeddingModel: 'bench-embed',
  })
  return {
    'retrieveChunks, keyword, all files (k = 8)': () =>
      as((tx) => retrieveChunks(tx, { query: question(), limit: 8 })),
    'retrieveChunks, keyword, 5 files (k = 8)': () =>
      as((tx) => retrieveChunks(tx, { query: question(), fileIds: seed.someFileIds, limit: 8 })),
    'retrieveChunks, hybrid, all files (k = 8)': vectors
      ? () => as((tx) => retrieveChunks(tx, { query: question(), limit: 8, ...semantic() }))
      : null,
    'search, all, first page (20)': () =>
      as((tx) => search(tx, { q: question(), scope: 'all', limit: 20 })),
    'search, messages, first page (20)': () =>
      as((tx) => search(tx, { q: question(), scope: 'messages', limit: 20 })),
    'search, all, hybrid, first page (20)': vectors
      ? () => as((tx) => search(tx, { q: question(), scope: 'all', limit: 20, ...semantic() }))
      : null,
  }
}

/** Retrieval and search latency for one user among several, through withUser (RLS on). */
export const retrievalPart: KnowledgePart = {
  name: 'retrieval and search',
  async run(target) {
    const rows: BenchReport['rows'] = []
    const database = target.label ?? target.name
    for (const [name, fn] of Object.entries(cases(target))) {
      if (target.cases && !target.cases(name)) continue
      if (!fn) {
        rows.push({
          database,
          case: name,
          'p50 ms': 'n/a',
          'p95 ms': 'no pgvector',
          samples: 0,
        })
        continue
      }
      const s = await measure(fn, { iterations, warmup })
      rows.push({
        database,
        case: name,
        'p50 ms': round(s.p50Ms),
        'p95 ms': round(s.p95Ms),
        samples: s.samples,
      })
    }
    return rows
  },
}
