import type { Database } from '@parley/db'
import type { BenchReport } from '../report.ts'
import type { Corpus } from './corpus.ts'
import type { KnowledgeScale, KnowledgeSeed } from './seed.ts'

/** One seeded database the parts measure. */
export interface KnowledgeTarget {
  name: 'embedded' | 'postgres'
  /** The rows' database column (a variant of the target); the name when unset. */
  label?: string
  /** The cases to run, by name; all when unset. */
  cases?: (caseName: string) => boolean
  db: Database
  corpus: Corpus
  scale: KnowledgeScale
  seed: KnowledgeSeed
  /** Whether pgvector is installed (hybrid cases run only then). */
  vectors: boolean
}

/**
 * A measured aspect of documents and search (retrieval latency now; ingest throughput or a
 * quality set can join as further parts), run against every target.
 */
export interface KnowledgePart {
  name: string
  run(target: KnowledgeTarget): Promise<BenchReport['rows']>
}
