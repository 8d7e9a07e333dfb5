import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createDatabase, type Database, prepareDatabase, vectorSearchAvailable } from '@parley/db'
import { freshDatabase } from '../gateway/postgres.ts'
import type { BenchReport } from '../report.ts'
import { round } from '../stats.ts'
import { type Corpus, loadCorpus } from './corpus.ts'
import { retrievalPart } from './retrieval.ts'
import { type KnowledgeScale, seedKnowledge } from './seed.ts'
import type { KnowledgePart, KnowledgeTarget } from './types.ts'

/** `BENCH_KNOWLEDGE_SCALE` (default 1) shrinks the data for a quick run, e.g. 0.01. */
const factor = Number(process.env.BENCH_KNOWLEDGE_SCALE || 1)
const scaled = (n: number) => Math.max(200, Math.round((n * factor) / 200) * 200)

const scale: KnowledgeScale = {
  otherUsers: 4,
  chunks: scaled(100_000),
  otherChunks: scaled(10_000),
  chunksPerFile: 200,
  messages: scaled(1_000_000),
  messagesPerConversation: 200,
  dimensions: 384,
}

/** Every part runs against every target; add parts here. */
const parts: KnowledgePart[] = [retrievalPart]

/**
 * Documents and search at scale: one user's 100k passages among several users' and 1M messages,
 * on embedded PGlite and, with `BENCH_DATABASE_URL`, on Postgres.
 */
export default async function knowledgeBench(): Promise<BenchReport> {
  const corpus = await loadCorpus()
  const rows: BenchReport['rows'] = []
  const details: Record<string, unknown> = {
    scale,
    corpus: { passages: corpus.passages.length, sentences: corpus.sentences.length },
  }

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'parley-bench-knowledge-'))
  try {
    const embedded = await createDatabase({ kind: 'pglite', dataDir })
    details.embedded = await runTarget('embedded', embedded, corpus, rows)
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }

  const adminUrl = process.env.BENCH_DATABASE_URL?.trim() || undefined
  if (adminUrl) {
    const fresh = await freshDatabase(adminUrl, 'parley_bench_knowledge')
    try {
      const postgres = await createDatabase({ kind: 'postgres', url: fresh.url })
      details.postgres = await runTarget('postgres', postgres, corpus, rows)
    } finally {
      await fresh.drop()
    }
  }

  return {
    name: 'knowledge',
    description: `retrieval and search for 1 of ${scale.otherUsers + 1} users, ${scale.chunks.toLocaleString('en')} passages of theirs, ${scale.messages.toLocaleString('en')} messages in all; through withUser (RLS on)`,
    rows,
    details,
    notes: [
      'Goals: retrieveChunks p95 <= 50 ms, search p95 <= 100 ms.',
      'Questions are built from the seeded docs: 3 content words behind a question opener.',
      'Postgres runs only with BENCH_DATABASE_URL; hybrid cases need pgvector.',
    ],
  }
}

async function runTarget(
  name: KnowledgeTarget['name'],
  db: Database,
  corpus: Corpus,
  rows: BenchReport['rows'],
): Promise<Record<string, unknown>> {
  try {
    const prepared = await prepareDatabase(db)
    const vectors = await db.asService(vectorSearchAvailable)
    const seed = await seedKnowledge(db, corpus, scale, vectors)
    const target: KnowledgeTarget = { name, db, corpus, scale, seed, vectors }
    for (const part of parts) rows.push(...(await part.run(target)))
    return {
      seedSeconds: round(seed.seconds, 1),
      vectors,
      missingExtensions: prepared.missingExtensions,
    }
  } finally {
    await db.close()
  }
}
