import type { Parley } from './parley.ts'
import {
  type Call,
  closedLoop,
  Failures,
  type LoadResult,
  type Memory,
  sequential,
  soak,
  turnsOf,
  underLoad,
} from './phases.ts'
import { rssMb } from './processes.ts'
import { columns, type Stack, users } from './stack.ts'
import { sdkClient, sdkTarget, type Target, type Timing } from './targets.ts'
import { prompt, realisticFirstByteMs, realisticPrompt } from './upstream.ts'

/** How much of each phase runs; the whole bench stays within a few minutes on 2 cores. */
export const plan = {
  warmupRounds: 30,
  sequentialRounds: 200,
  realisticWarmupRounds: 3,
  realisticRounds: 40,
  loadWarmupTurnsEach: 2,
  loadRounds: 2,
  loadTurnsPerRound: 8,
  memoryMarks: [1_000, 2_000],
} as const

export interface Measured {
  /** Streamed turns at c=1, by column. */
  sequential: Map<string, Timing[]>
  /** Buffered (non-streamed) completions at c=1: SDK direct and Portkey. */
  buffered: Map<string, number[]>
  /** Streamed turns at c=1 against an upstream whose first byte comes after 300 ms. */
  realistic: Map<string, Timing[]>
  /** Streamed turns with `users` users at once. */
  load: Map<string, LoadResult>
  /** RSS of each Parley API at the memory marks. */
  memory: Map<string, Memory>
  /** Each Parley API's early model calls over the whole run: kept, or stopped and made again. */
  earlyCalls: Map<string, { kept: number; stopped: number; turns: number }>
  failures: Failures
}

/** Runs every phase against every column of the stack, interleaved so they share the drift. */
export async function measureAll(stack: Stack): Promise<Measured> {
  const failures = new Failures()
  /** Says what comes next, once every process is known to be still alive. */
  const progress = (message: string) => {
    stack.assertRunning()
    console.error(`gateway: ${message}`)
  }
  const direct = sdkClient(`${stack.upstream.origin}/v1`)
  const parleys = [stack.embedded, stack.postgres].filter((p): p is Parley => p !== null)
  const { portkey, relay } = stack
  const streamed: Target[] = [
    sdkTarget(columns.direct, direct),
    ...(portkey.streamingFailure ? [] : [sdkTarget(columns.portkey, portkey.client, portkey.pid)]),
    relay,
    ...parleys,
  ]
  const buffered: Call<number>[] = [
    { name: columns.direct, run: () => direct.buffered(prompt) },
    { name: columns.portkey, run: () => portkey.client.buffered(prompt) },
  ]
  const soaked = [relay, ...parleys]
  const rssAtStart = new Map(soaked.map((target) => [target.name, rssMb(target.pid)]))
  const sequentialPhase = async (text: string, warmup: number, rounds: number) => {
    for (const parley of parleys) await parley.prepare([warmup + rounds])
    await sequential(turnsOf(streamed, text), warmup, failures)
    return sequential(turnsOf(streamed, text), rounds, failures)
  }

  progress(
    `c=1: ${plan.warmupRounds} + ${plan.sequentialRounds} rounds of ${streamed.length} paths`,
  )
  const sequentialTimings = await sequentialPhase(prompt, plan.warmupRounds, plan.sequentialRounds)
  progress('c=1: buffered completions, SDK direct and Portkey')
  await sequential(buffered, plan.warmupRounds, failures)
  const bufferedTimings = await sequential(buffered, plan.sequentialRounds, failures)
  progress(`c=1: upstream with a ${realisticFirstByteMs} ms first byte`)
  const realistic = await sequentialPhase(
    realisticPrompt,
    plan.realisticWarmupRounds,
    plan.realisticRounds,
  )

  progress(`c=${users}: warm-up, then ${plan.loadRounds} alternating rounds`)
  const warmup = Array.from({ length: users }, () => plan.loadWarmupTurnsEach)
  for (const target of streamed) await closedLoop(target, warmup, prompt, failures)
  const load = await underLoad(
    streamed,
    users,
    plan.loadRounds,
    plan.loadTurnsPerRound,
    prompt,
    failures,
  )

  const memory = new Map<string, Memory>()
  for (const target of soaked) {
    progress(`${target.name}: c=${users} up to ${plan.memoryMarks.join(' and ')} turns`)
    const { rssMbAt } = await soak(target, users, plan.memoryMarks, prompt, failures)
    memory.set(target.name, {
      rssMbAt: { 0: rssAtStart.get(target.name) ?? Number.NaN, ...rssMbAt },
    })
  }
  stack.assertRunning()
  const earlyCalls = new Map<string, { kept: number; stopped: number; turns: number }>()
  for (const parley of parleys) {
    earlyCalls.set(parley.name, { ...(await parley.earlyCalls()), turns: parley.turns })
  }
  return {
    earlyCalls,
    sequential: sequentialTimings,
    buffered: bufferedTimings,
    realistic,
    load,
    memory,
    failures,
  }
}
