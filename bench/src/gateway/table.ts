import type { ColumnSummary } from './summary.ts'

/** A column of the printed table: its numbers, or why it has none. */
export interface TableColumn {
  summary: ColumnSummary
  /** Printed instead of the numbers (the column did not run). */
  skipped?: string
  /** Printed in the streamed rows when that path could not be measured. */
  streamedNote?: string
}

const fixed = (v: number) =>
  !Number.isFinite(v)
    ? 'n/a'
    : Math.abs(v) < 10
      ? v.toFixed(2)
      : Math.abs(v) < 100
        ? v.toFixed(1)
        : v.toFixed(0)
const plus = (v: number) => `${v < 0 ? '−' : '+'}${fixed(Math.abs(v))}`
const times = (v: number) => `${v.toFixed(2)}×`
const pair = (a: number, b: number) => `${fixed(a)} / ${fixed(b)} ms`

type Cell = (c: ColumnSummary, direct: ColumnSummary, isDirect: boolean) => string | undefined

export interface TableShape {
  users: number
  sequentialTurns: number
  memoryMarks: readonly number[]
  realisticFirstByteMs: number
}

const count = (n: number | undefined) => (n ?? 0).toLocaleString('en')

/** Each row: its label, its cell for a column measured against SDK direct, and whether it streams. */
const rowSpecs = (shape: TableShape): [string, Cell, boolean][] => [
  [
    `TTFT p50 / p95, c=1 (${shape.sequentialTurns} sequential turns after warm-up)`,
    (c) => c.ttft && pair(c.ttft.p50Ms, c.ttft.p95Ms),
    true,
  ],
  [
    'TTFT overhead vs direct p50 / p95, c=1',
    (c, d, isDirect) =>
      isDirect
        ? '—'
        : c.ttft &&
          d.ttft &&
          `${plus(c.ttft.p50Ms - d.ttft.p50Ms)} / ${plus(c.ttft.p95Ms - d.ttft.p95Ms)} ms`,
    true,
  ],
  [
    'buffered (non-streamed) completion p50 / p95, c=1, and added vs direct',
    (c, d, isDirect) => {
      if (!c.buffered) return undefined
      const own = pair(c.buffered.p50Ms, c.buffered.p95Ms)
      if (isDirect || !d.buffered) return own
      return `${own} (${plus(c.buffered.p50Ms - d.buffered.p50Ms)} / ${plus(c.buffered.p95Ms - d.buffered.p95Ms)})`
    },
    false,
  ],
  ['total turn time p50, c=1', (c) => c.total && `${fixed(c.total.p50Ms)} ms`, true],
  [
    `${shape.users} users at once: turns/s (ratio to direct)`,
    (c, d) =>
      c.load &&
      d.load &&
      `${fixed(c.load.turnsPerSec)} (${times(c.load.turnsPerSec / d.load.turnsPerSec)})`,
    true,
  ],
  [
    `${shape.users} users at once: TTFT p95 (ratio to direct)`,
    (c, d) =>
      c.load &&
      d.load &&
      `${fixed(c.load.ttft.p95Ms)} ms (${times(c.load.ttft.p95Ms / d.load.ttft.p95Ms)})`,
    true,
  ],
  [
    `CPU ms per turn of the server process, c=${shape.users} after warm-up`,
    (c) => (c.load?.cpuMsPerTurn == null ? undefined : `${fixed(c.load.cpuMsPerTurn)} ms`),
    true,
  ],
  [
    `server RSS after ${count(shape.memoryMarks.at(-1))} turns (growth since turn ${count(shape.memoryMarks[0])})`,
    (c) =>
      c.memory &&
      `${fixed(c.memory.rssMbAtLastMark)} MB (${plus(c.memory.rssMbAtLastMark - c.memory.rssMbAtFirstMark)} MB)`,
    true,
  ],
  [
    `upstream first byte after ${shape.realisticFirstByteMs} ms: TTFT overhead p50, c=1`,
    (c, d, isDirect) =>
      c.realisticTtft &&
      (isDirect
        ? `TTFT p50 ${fixed(c.realisticTtft.p50Ms)} ms`
        : d.realisticTtft && `${plus(c.realisticTtft.p50Ms - d.realisticTtft.p50Ms)} ms`),
    true,
  ],
]

/** The table as rows (`metric` then one key per column); the first column is SDK direct. */
export function tableRows(
  columns: readonly TableColumn[],
  shape: TableShape,
): Record<string, string>[] {
  const direct = columns[0]?.summary
  if (!direct) return []
  return rowSpecs(shape).map(([metric, cell, streamed], rowIndex) => {
    const row: Record<string, string> = { metric }
    for (const column of columns) {
      const { summary, skipped, streamedNote } = column
      row[summary.name] = skipped
        ? rowIndex === 0
          ? skipped
          : 'skipped'
        : (cell(summary, direct, summary === direct) ??
          (streamed && rowIndex === 0 ? streamedNote : undefined) ??
          '—')
    }
    return row
  })
}
