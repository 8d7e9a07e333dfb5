import type { BenchReport } from '../report.ts'
import knowledgeAtScale from './index.ts'
import { benchIngest } from './ingest.ts'
import { benchQuality } from './quality.ts'

/**
 * `pnpm bench knowledge`: retrieval quality on the labelled set, ingest throughput, then
 * retrieval and search latency at scale (the longest, last).
 */
export default async function knowledgeSuite(): Promise<BenchReport[]> {
  const quality = await benchQuality()
  const ingest = await benchIngest()
  return [quality, ingest, await knowledgeAtScale()]
}
