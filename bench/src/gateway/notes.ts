import type { Measured } from './measure.ts'
import { rssMb } from './processes.ts'
import type { Stack } from './stack.ts'

/** RSS of a process still running, or null. */
export function rssOrNull(pid: number): number | null {
  try {
    return Math.round(rssMb(pid) * 10) / 10
  } catch {
    return null
  }
}

/** What the table needs said under it: definitions, what could not be measured, what failed. */
export function notes(stack: Stack, measured: Measured): string[] {
  const lines = [
    'TTFT: from sending the request to the first content chunk (SDK) or first `delta` event (Parley, the relay).',
    "The relay serves a stream on the API's own parts (Hono, streamSSE, Parley's OpenAI provider, the delta window) with no authentication, database, context or accounting: the floor under Parley's overhead on this stack.",
    'Each Parley user has its own signed-up account; it starts a new conversation every 10 turns, created before each phase.',
    'CPU and RSS are the server process only (/proc/<pid>); on Postgres the database server is not counted.',
  ]
  if (stack.portkey.streamingFailure) {
    lines.push(
      `Portkey's streamed path fails here, so only its buffered path is measured: ${stack.portkey.streamingFailure}`,
    )
  }
  for (const [target, early] of measured.earlyCalls) {
    lines.push(
      `${target}: ${early.kept} of ${early.turns} turns kept the model call they started before being stored (the send named the reply stored last); ${early.stopped} such calls were stopped.`,
    )
  }
  for (const [target, failure] of measured.failures.byTarget) {
    lines.push(`${target}: ${failure.count} failed calls, e.g. ${failure.samples[0] ?? ''}`)
  }
  for (const parley of [stack.embedded, stack.postgres]) {
    if (!parley?.api.problems.count) continue
    const { count, samples } = parley.api.problems
    lines.push(
      `${parley.name}: the API logged ${count} warnings or errors, e.g. ${samples[0] ?? ''}`,
    )
  }
  return lines
}
