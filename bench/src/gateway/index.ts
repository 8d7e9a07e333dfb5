import os from 'node:os'
import type { BenchReport } from '../report.ts'
import { type Measured, measureAll, plan } from './measure.ts'
import { notes, rssOrNull } from './notes.ts'
import { columns, type Stack, startStack, users } from './stack.ts'
import { columnDetails, summarizeColumn } from './summary.ts'
import { type TableColumn, tableRows } from './table.ts'
import { model, realisticFirstByteMs, replyTokens, tokensPerSecond } from './upstream.ts'

const skippedPostgres = 'skipped (set BENCH_DATABASE_URL)'

/**
 * A chat turn's overhead: the same fake upstream through the OpenAI SDK directly, through
 * Portkey's gateway (a stateless proxy), through a relay built from the API's own parts (the
 * floor under Parley's overhead) and through Parley's API, embedded and on Postgres.
 */
export default async function gatewayBench(): Promise<BenchReport> {
  const adminUrl = process.env.BENCH_DATABASE_URL?.trim() || undefined
  const stack = await startStack(adminUrl)
  try {
    const measured = await measureAll(stack)
    return report(stack, measured)
  } finally {
    await stack.stop()
  }
}

function machine(): string {
  const cpus = os.cpus()
  const memory = (os.totalmem() / 2 ** 30).toFixed(1)
  return `machine: ${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${memory} GiB, node ${process.version}`
}

function report(stack: Stack, measured: Measured): BenchReport {
  const tableColumns: TableColumn[] = [
    { summary: summarizeColumn(columns.direct, measured, false) },
    {
      summary: summarizeColumn(columns.portkey, measured, true),
      ...(stack.portkey.streamingFailure ? { streamedNote: 'streaming fails (see notes)' } : {}),
    },
    { summary: summarizeColumn(columns.relay, measured, true) },
    { summary: summarizeColumn(columns.embedded, measured, true) },
    stack.postgres
      ? { summary: summarizeColumn(columns.postgres, measured, true) }
      : { summary: { name: columns.postgres, failures: 0 }, skipped: skippedPostgres },
  ]
  const direct = tableColumns[0]?.summary ?? { name: columns.direct, failures: 0 }
  const details: Record<string, unknown> = {
    parameters: {
      upstream: `fake upstream in its own process: ${replyTokens} tokens at ${tokensPerSecond}/s, no first-byte delay; the realistic phase waits ${realisticFirstByteMs} ms for the first byte`,
      model,
      users,
      ...plan,
    },
    portkeyStreaming: stack.portkey.streamingFailure ?? 'ok',
    portkeyRssMb: rssOrNull(stack.portkey.pid),
    relay:
      "Hono on @hono/node-server with streamSSE, Parley's OpenAI provider and the API's delta framing; no authentication, database, context or accounting",
    columns: Object.fromEntries(
      tableColumns.map((c) => [
        c.summary.name,
        c.skipped ? { skipped: c.skipped } : columnDetails(c.summary, direct),
      ]),
    ),
    earlyCalls: Object.fromEntries(measured.earlyCalls),
    apiLogProblems: Object.fromEntries(
      [stack.embedded, stack.postgres].flatMap((p) => (p ? [[p.name, p.api.problems]] : [])),
    ),
    failures: Object.fromEntries(measured.failures.byTarget),
  }
  return {
    name: 'gateway',
    description: `a chat turn's overhead over the same fake upstream, ${replyTokens} tokens at ${tokensPerSecond}/s`,
    header: [machine()],
    layout: 'markdown',
    rows: tableRows(tableColumns, {
      users,
      sequentialTurns: plan.sequentialRounds,
      memoryMarks: plan.memoryMarks,
      realisticFirstByteMs,
    }),
    notes: notes(stack, measured),
    details,
  }
}
