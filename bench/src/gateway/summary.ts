import { type LatencySummary, round, summarize } from '../stats.ts'
import type { Measured } from './measure.ts'
import { plan } from './measure.ts'

/** What one column of the table measured; absent parts were not measured for it. */
export interface ColumnSummary {
  name: string
  ttft?: LatencySummary
  total?: LatencySummary
  buffered?: LatencySummary
  load?: { turns: number; turnsPerSec: number; ttft: LatencySummary; cpuMsPerTurn: number | null }
  memory?: { rssMbAtStart: number; rssMbAtFirstMark: number; rssMbAtLastMark: number }
  realisticTtft?: LatencySummary
  failures: number
}

const firstMark = plan.memoryMarks[0]
const lastMark = plan.memoryMarks.at(-1) ?? firstMark

export function summarizeColumn(
  name: string,
  measured: Measured,
  hasProcess: boolean,
): ColumnSummary {
  const summary: ColumnSummary = { name, failures: measured.failures.count(name) }
  const sequential = measured.sequential.get(name)
  if (sequential?.length) {
    summary.ttft = summarize(sequential.map((t) => t.ttftMs))
    summary.total = summarize(sequential.map((t) => t.totalMs))
  }
  const buffered = measured.buffered.get(name)
  if (buffered?.length) summary.buffered = summarize(buffered)
  const load = measured.load.get(name)
  if (load?.timings.length) {
    summary.load = {
      turns: load.turns,
      turnsPerSec: (load.timings.length * 1000) / load.wallMs,
      ttft: summarize(load.timings.map((t) => t.ttftMs)),
      cpuMsPerTurn: hasProcess ? load.cpuMs / load.turns : null,
    }
  }
  const memory = measured.memory.get(name)
  if (memory) {
    summary.memory = {
      rssMbAtStart: memory.rssMbAt[0] ?? Number.NaN,
      rssMbAtFirstMark: memory.rssMbAt[firstMark] ?? Number.NaN,
      rssMbAtLastMark: memory.rssMbAt[lastMark] ?? Number.NaN,
    }
  }
  const realistic = measured.realistic.get(name)
  if (realistic?.length) summary.realisticTtft = summarize(realistic.map((t) => t.ttftMs))
  return summary
}

const latency = (s: LatencySummary | undefined) =>
  s && { samples: s.samples, p50Ms: round(s.p50Ms, 2), p95Ms: round(s.p95Ms, 2) }

/** The column's numbers for the JSON, with overheads and ratios against `direct`. */
export function columnDetails(c: ColumnSummary, direct: ColumnSummary) {
  const diff = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : round(a - b, 2)
  const ratio = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : round(a / b, 3)
  return {
    failedCalls: c.failures,
    c1Ttft: latency(c.ttft),
    c1TtftOverheadMs: {
      p50: diff(c.ttft?.p50Ms, direct.ttft?.p50Ms),
      p95: diff(c.ttft?.p95Ms, direct.ttft?.p95Ms),
    },
    c1Total: latency(c.total),
    c1Buffered: latency(c.buffered),
    c1BufferedAddedMs: {
      p50: diff(c.buffered?.p50Ms, direct.buffered?.p50Ms),
      p95: diff(c.buffered?.p95Ms, direct.buffered?.p95Ms),
    },
    load: c.load && {
      turns: c.load.turns,
      turnsPerSec: round(c.load.turnsPerSec, 1),
      turnsPerSecRatioToDirect: ratio(c.load.turnsPerSec, direct.load?.turnsPerSec),
      ttft: latency(c.load.ttft),
      ttftP95RatioToDirect: ratio(c.load.ttft.p95Ms, direct.load?.ttft.p95Ms),
      cpuMsPerTurn: c.load.cpuMsPerTurn === null ? null : round(c.load.cpuMsPerTurn, 2),
    },
    memory: c.memory && {
      rssMbBeforeTheFirstTurn: round(c.memory.rssMbAtStart, 1),
      [`rssMbAfter${lastMark}Turns`]: round(c.memory.rssMbAtLastMark, 1),
      [`rssMbAfter${firstMark}Turns`]: round(c.memory.rssMbAtFirstMark, 1),
      rssGrowthMb: round(c.memory.rssMbAtLastMark - c.memory.rssMbAtFirstMark, 1),
    },
    realisticTtft: latency(c.realisticTtft),
    realisticTtftOverheadMsP50: diff(c.realisticTtft?.p50Ms, direct.realisticTtft?.p50Ms),
  }
}
