import type { BenchReport } from '../report.ts'
import knowledgeAtScale from './index.ts'
import { benchIngest } from './ingest.ts'
import { benchQuality } from './quality.ts'

const parts = {
  quality: benchQuality,
  ingest: benchIngest,
  scale: knowledgeAtScale,
} satisfies Record<string, () => Promise<BenchReport>>

type PartName = keyof typeof parts

/** `BENCH_KNOWLEDGE_PARTS=ingest` (or `quality,scale`...) runs only those parts; default all. */
function selectedParts(): PartName[] {
  const names = Object.keys(parts) as PartName[]
  const wanted = (process.env.BENCH_KNOWLEDGE_PARTS ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  if (wanted.length === 0) return names
  const unknown = wanted.filter((name) => !names.includes(name as PartName))
  if (unknown.length > 0) {
    throw new Error(`unknown knowledge part(s): ${unknown.join(', ')}; known: ${names.join(', ')}`)
  }
  return names.filter((name) => wanted.includes(name))
}

/**
 * `pnpm bench knowledge`: retrieval quality on the labelled set, ingest throughput, then
 * retrieval and search latency at scale (the longest, last). The quality and ingest reports are
 * also kept in `knowledge.json` under `parts`, beside the at-scale rows.
 */
export default async function knowledgeSuite(): Promise<BenchReport[]> {
  const reports: BenchReport[] = []
  for (const name of selectedParts()) {
    const report = await parts[name]()
    reports.push(name === 'scale' ? report : { ...report, partOf: 'knowledge' })
  }
  return reports
}
