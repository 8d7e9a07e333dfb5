import net from 'node:net'
import os from 'node:os'
import type { BenchReport } from '../report.ts'
import { percentile, round } from '../stats.ts'
import { type Parley, startParley } from './parley.ts'
import { freshDatabase } from './postgres.ts'
import { freePort } from './processes.ts'
import { prompt, realisticFirstByteMs, realisticPrompt, startUpstream } from './upstream.ts'

/** Turns per kind of send, per prompt, per setup (after one warm-up conversation). */
const samples = 60
/** One way, so a round trip to the database costs twice this more. */
const networkDelayMs = 2

interface Setup {
  name: string
  start(upstreamOrigin: string): Promise<{ parley: Parley; stop(): Promise<void> }>
}

/**
 * Early model calls, side by side in one run: the same API answers sends that name the reply
 * they follow (the call starts while the turn is stored) and sends that do not (it starts after),
 * interleaved turn by turn, embedded, on Postgres, and on Postgres behind a delay that stands
 * for a database across a network.
 */
export default async function earlyCallsBench(): Promise<BenchReport> {
  const adminUrl = process.env.BENCH_DATABASE_URL?.trim() || undefined
  const upstream = await startUpstream()
  const rows: Record<string, string | number>[] = []
  try {
    for (const setup of setups(adminUrl)) {
      console.error(`early-calls: ${setup.name}`)
      const { parley, stop } = await setup.start(upstream.origin)
      try {
        for (const [label, text] of [
          [`upstream first byte after ${realisticFirstByteMs} ms`, realisticPrompt],
          ['upstream answers at once', prompt],
        ] as const) {
          rows.push({ setup: setup.name, upstream: label, ...(await compare(parley, text)) })
        }
      } finally {
        await stop()
      }
    }
  } finally {
    await upstream.stop()
  }
  return {
    name: 'early-calls',
    description:
      'time to first token with and without the early model call, interleaved turn by turn',
    header: [
      `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, node ${process.version}`,
    ],
    layout: 'markdown',
    rows,
    notes: [
      'One user at a time; conversations of 10 turns, whose first turn (nothing to follow) is not counted.',
      '"named": the send names the reply it follows (`leafId`), so the model call starts before begin_turn; "not named": it starts after, as before early calls. Early calls are on in every setup here (`PARLEY_EARLY_CALLS=true`), embedded too, where they are off by default.',
      `"network": the API reaches Postgres through a proxy that holds every chunk ${networkDelayMs} ms each way.`,
      ...(adminUrl ? [] : ['Postgres rows skipped: set BENCH_DATABASE_URL.']),
    ],
  }
}

function setups(adminUrl: string | undefined): Setup[] {
  const embedded: Setup = {
    name: 'embedded (PGlite)',
    start: async (origin) => {
      const parley = await startParley({
        name: 'early calls, embedded',
        upstreamOrigin: origin,
        accounts: 1,
        earlyCalls: true,
      })
      return { parley, stop: () => parley.stop() }
    },
  }
  if (!adminUrl) return [embedded]
  const onPostgres = (name: string, delayMs: number): Setup => ({
    name,
    start: async (origin) => {
      const database = await freshDatabase(adminUrl, 'parley_bench_early_calls')
      const proxy = delayMs > 0 ? await delayProxy(new URL(database.url), delayMs) : undefined
      const parley = await startParley({
        name: `early calls, ${name}`,
        upstreamOrigin: origin,
        accounts: 1,
        databaseUrl: proxy?.url ?? database.url,
        earlyCalls: true,
      })
      return {
        parley,
        async stop() {
          await parley.stop()
          proxy?.close()
          await database.drop()
        },
      }
    },
  })
  return [embedded, onPostgres('Postgres', 0), onPostgres(`Postgres, network`, networkDelayMs)]
}

/** TTFT p50 of sends that name the reply they follow and of sends that do not, interleaved. */
async function compare(parley: Parley, text: string) {
  const named: number[] = []
  const unnamed: number[] = []
  // A warm-up conversation first; then every turn but a conversation's first is counted.
  for (let turn = 0; named.length < samples || unnamed.length < samples; turn++) {
    const nameLeaf = turn % 2 === 1
    const { ttftMs, followed } = await parley.turn(0, text, { nameLeaf })
    if (turn < 10 || !followed) continue
    ;(nameLeaf ? named : unnamed).push(ttftMs)
  }
  const p50 = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      50,
    )
  return {
    'TTFT p50, named (ms)': round(p50(named), 2),
    'TTFT p50, not named (ms)': round(p50(unnamed), 2),
    'saved p50 (ms)': round(p50(unnamed) - p50(named), 2),
  }
}

/** A TCP proxy to the database that delays every chunk by `delayMs`, in order, both ways. */
async function delayProxy(target: URL, delayMs: number): Promise<{ url: string; close(): void }> {
  const port = await freePort()
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname)
    for (const socket of [client, upstream]) socket.setNoDelay(true)
    const relay = (from: net.Socket, to: net.Socket) =>
      from.on('data', (chunk) => setTimeout(() => to.write(chunk), delayMs))
    relay(client, upstream)
    relay(upstream, client)
    const end = () => {
      client.destroy()
      upstream.destroy()
    }
    for (const socket of [client, upstream]) socket.on('close', end).on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const url = new URL(target)
  url.hostname = '127.0.0.1'
  url.port = String(port)
  return { url: url.toString(), close: () => server.close() }
}
