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
    details.embedded = await runTarget(
      'embedded',
      (cacheMb) => createDatabase({ kind: 'pglite', dataDir, cacheMb }),
      corpus,
      rows,
      { reopen: true, baseline: true },
    )
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }

  const adminUrl = process.env.BENCH_DATABASE_URL?.trim() || undefined
  if (adminUrl) {
    const fresh = await freshDatabase(adminUrl, 'parley_bench_knowledge')
    try {
      details.postgres = await runTarget(
        'postgres',
        () => createDatabase({ kind: 'postgres', url: fresh.url }),
        corpus,
        rows,
        { reopen: false, baseline: false },
      )
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
      'Embedded is measured reopened after seeding (its cache is sized then); each case runs 20 untimed queries first.',
      "Embedded, 128 MB cache: the hybrid cases again with PGlite's own cache instead of one sized to the data.",
    ],
  }
}

/**
 * Seeds a database and measures it. `reopen`: measured reopened after seeding, as a server
 * started over existing data would find it (the embedded database sizes its cache to its data
 * when it opens); `baseline`: then once more with PGlite's own 128 MB cache, hybrid cases only.
 * Postgres is measured on the pool that seeded it: a new pool's connections are slower for their
 * first queries, which is not the database's steady state.
 */
async function runTarget(
  name: KnowledgeTarget['name'],
  open: (cacheMb?: number) => Promise<Database>,
  corpus: Corpus,
  rows: BenchReport['rows'],
  { reopen, baseline }: { reopen: boolean; baseline: boolean },
): Promise<Record<string, unknown>> {
  let db = await open()
  const reopenWith = async (cacheMb?: number) => {
    await db.close()
    db = await open(cacheMb)
  }
  try {
    const prepared = await prepareDatabase(db)
    const vectors = await db.asService(vectorSearchAvailable)
    const seed = await seedKnowledge(db, corpus, scale, vectors)
    const seeded = { name, corpus, scale, seed, vectors }
    if (reopen) await reopenWith()
    const [cache] = await db.ownerStatement<{ shared_buffers: string }>('show shared_buffers', [])
    for (const part of parts) rows.push(...(await part.run({ ...seeded, db })))
    if (baseline && vectors) {
      await reopenWith(128)
      const target: KnowledgeTarget = {
        ...seeded,
        db,
        label: `${name}, 128 MB cache`,
        cases: (caseName) => caseName.includes('hybrid'),
      }
      for (const part of parts) rows.push(...(await part.run(target)))
    }
    return {
      seedSeconds: round(seed.seconds, 1),
      sharedBuffers: cache?.shared_buffers,
      vectors,
      missingExtensions: prepared.missingExtensions,
    }
  } finally {
    await db.close()
  }
}
