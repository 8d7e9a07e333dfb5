import { type Parley, startParley } from './parley.ts'
import { type Portkey, startPortkey } from './portkey.ts'
import { freshDatabase } from './postgres.ts'
import { assertRunning } from './processes.ts'
import { type Relay, startRelay } from './relay.ts'
import { startUpstream, type Upstream } from './upstream.ts'

/** Users at once in the loaded phases; each has its own account. */
export const users = 32

/** The table's columns, in order. */
export const columns = {
  direct: 'SDK direct',
  portkey: 'Portkey gateway',
  relay: "relay on the API's parts",
  embedded: 'Parley embedded (PGlite)',
  postgres: 'Parley on Postgres',
} as const

export interface Stack {
  upstream: Upstream
  portkey: Portkey
  /** A stateless relay built from the API's own parts: the floor under Parley's overhead. */
  relay: Relay
  embedded: Parley
  /** Parley on Postgres: null without `BENCH_DATABASE_URL`. */
  postgres: Parley | null
  /** Throws if any of its processes has died. */
  assertRunning(): void
  stop(): Promise<void>
}

/**
 * Starts everything the bench measures, each in its own process: the fake upstream, Portkey, the
 * relay and the API embedded (PGlite) and on a fresh Postgres database. Whatever fails to start, what did
 * start is stopped again.
 */
export async function startStack(adminUrl: string | undefined): Promise<Stack> {
  const stops: (() => Promise<void>)[] = []
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => {})
  }
  try {
    const upstream = await startUpstream()
    stops.push(upstream.stop)
    const portkey = await startPortkey(upstream.origin)
    stops.push(portkey.stop)
    const relay = await startRelay(columns.relay, upstream.origin)
    stops.push(relay.stop)
    // Account 0 also runs the sequential (c=1) turns.
    const parleyOptions = { upstreamOrigin: upstream.origin, accounts: users }
    const embedded = await startParley({ ...parleyOptions, name: columns.embedded })
    stops.push(embedded.stop)
    let postgres: Parley | null = null
    if (adminUrl) {
      const database = await freshDatabase(adminUrl)
      stops.push(database.drop)
      postgres = await startParley({
        ...parleyOptions,
        name: columns.postgres,
        databaseUrl: database.url,
      })
      stops.push(postgres.stop)
    }
    const children = [upstream, portkey, relay, embedded.api, ...(postgres ? [postgres.api] : [])]
    return {
      upstream,
      portkey,
      relay,
      embedded,
      postgres,
      assertRunning: () => assertRunning(children),
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
