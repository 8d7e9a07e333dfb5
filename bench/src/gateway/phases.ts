import { cpuMs, rssMb } from './processes.ts'
import type { Target, Timing } from './targets.ts'

/** Failed calls per target: counted, the first few kept, and left out of the timings. */
export class Failures {
  readonly byTarget = new Map<string, { count: number; samples: string[] }>()

  record(target: string, error: unknown) {
    const entry = this.byTarget.get(target) ?? { count: 0, samples: [] }
    entry.count++
    if (entry.samples.length < 3) entry.samples.push(String(error).slice(0, 400))
    this.byTarget.set(target, entry)
  }

  count(target: string): number {
    return this.byTarget.get(target)?.count ?? 0
  }
}

export interface Call<T> {
  name: string
  run(): Promise<T>
}

/**
 * `rounds` rounds of one call to each, one at a time; the order turns by one every round so that
 * neither drift on a shared machine nor going first favours any of them.
 */
export async function sequential<T>(
  calls: readonly Call<T>[],
  rounds: number,
  failures: Failures,
): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>(calls.map((call) => [call.name, []]))
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < calls.length; i++) {
      const call = calls[(round + i) % calls.length] as Call<T>
      try {
        results.get(call.name)?.push(await call.run())
      } catch (error) {
        failures.record(call.name, error)
      }
    }
  }
  return results
}

/** Streamed turns of user 0 as sequential calls. */
export const turnsOf = (targets: readonly Target[], prompt: string): Call<Timing>[] =>
  targets.map((target) => ({ name: target.name, run: () => target.turn(0, prompt) }))

export interface LoadResult {
  timings: Timing[]
  turns: number
  wallMs: number
  /** CPU the target's process used meanwhile (0 when it has none). */
  cpuMs: number
}

/** `users` users at once, each running its `turnsEach[user]` turns back to back (a closed loop). */
export async function closedLoop(
  target: Target,
  turnsEach: readonly number[],
  prompt: string,
  failures: Failures,
): Promise<LoadResult> {
  await target.prepare?.(turnsEach)
  const timings: Timing[] = []
  const cpuBefore = target.pid ? cpuMs(target.pid) : 0
  const started = performance.now()
  await Promise.all(
    turnsEach.map(async (turns, user) => {
      for (let i = 0; i < turns; i++) {
        try {
          timings.push(await target.turn(user, prompt))
        } catch (error) {
          failures.record(target.name, error)
        }
      }
    }),
  )
  const wallMs = performance.now() - started
  const cpu = target.pid ? cpuMs(target.pid) - cpuBefore : 0
  return { timings, turns: turnsEach.reduce((sum, n) => sum + n, 0), wallMs, cpuMs: cpu }
}

/** Alternates closed loops of the targets `rounds` times and adds each target's up. */
export async function underLoad(
  targets: readonly Target[],
  users: number,
  rounds: number,
  turnsPerRound: number,
  prompt: string,
  failures: Failures,
): Promise<Map<string, LoadResult>> {
  const totals = new Map<string, LoadResult>(
    targets.map((target) => [target.name, { timings: [], turns: 0, wallMs: 0, cpuMs: 0 }]),
  )
  const turnsEach = Array.from({ length: users }, () => turnsPerRound)
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      const result = await closedLoop(target, turnsEach, prompt, failures)
      const total = totals.get(target.name) as LoadResult
      total.timings.push(...result.timings)
      total.turns += result.turns
      total.wallMs += result.wallMs
      total.cpuMs += result.cpuMs
    }
  }
  return totals
}

export interface Memory {
  /** RSS (MB) with no turn in flight once the target has served this many turns (0: signed up). */
  rssMbAt: Record<number, number>
}

/**
 * Drives the target at `users` concurrent users until it has served each of `marks` turns in all,
 * reading its RSS at each mark once the turns in flight have finished.
 */
export async function soak(
  target: Target & { pid: number },
  users: number,
  marks: readonly number[],
  prompt: string,
  failures: Failures,
): Promise<Memory> {
  const rssMbAt: Record<number, number> = {}
  for (const mark of marks) {
    const missing = Math.max(0, mark - target.turns)
    const turnsEach = Array.from(
      { length: users },
      (_, user) => Math.floor(missing / users) + (user < missing % users ? 1 : 0),
    )
    await closedLoop(target, turnsEach, prompt, failures)
    // Let the work after the last `done` (if any) settle before reading.
    await new Promise((resolve) => setTimeout(resolve, 250))
    rssMbAt[mark] = rssMb(target.pid)
  }
  return { rssMbAt }
}
