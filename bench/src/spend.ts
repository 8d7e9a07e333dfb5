import os from 'node:os'
import {
  type BudgetDefaults,
  createDatabase,
  type Database,
  getBudgetState,
  prepareDatabase,
  usageRollup,
} from '@parley/db'
import { seedUsageAtScale } from '@parley/db/testing'
import type { JwtClaims } from '@parley/schema/contracts'
import { freshDatabase } from './gateway/postgres.ts'
import type { BenchReport } from './report.ts'
import { measureTurnWrites, type TurnWrites } from './spend-turns.ts'
import { type LatencySummary, measure, round } from './stats.ts'

const users = 1_000
/** The ledger's size: 5M rows on Postgres; PGlite (one core, in memory) is seeded with 1M. */
const eventsOn = {
  embedded: Number(process.env.BENCH_EMBEDDED_USAGE_EVENTS ?? 1_000_000),
  postgres: Number(process.env.BENCH_USAGE_EVENTS ?? 5_000_000),
}
const days = 120
const models = 3
const turns = 600
const reportRuns = 40
/** A team default that never refuses here: the bench measures the checks, not refusals. */
const defaults: BudgetDefaults = { limitMicroUsd: 1_000_000_000_000, period: 'monthly' }

const claimsOf = (id: string, admin = false): JwtClaims => ({
  sub: id,
  role: 'authenticated',
  ...(admin ? { app_metadata: { role: 'admin' } } : {}),
})

/** What `GET /usage` and `GET /admin/usage?groupBy=user` run, from the rollups. */
async function measureReports(db: Database, userClaims: JwtClaims, adminClaims: JwtClaims) {
  const now = new Date()
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
    .toISOString()
    .slice(0, 10)
  const to = now.toISOString().slice(0, 10)
  const report =
    (claims: JwtClaims, groupBy: 'day' | 'user', scope: 'own' | 'visible') => async () => {
      const sub = claims.sub ?? ''
      await db.withUser(claims, (tx) => getBudgetState(tx, sub, defaults))
      await db.withUser(claims, (tx) => usageRollup(tx, { from, to, groupBy, scope }))
    }
  return {
    own: await measure(report(userClaims, 'day', 'own'), { iterations: reportRuns }),
    byUser: await measure(report(adminClaims, 'user', 'visible'), { iterations: reportRuns }),
  }
}

interface TargetResult {
  name: string
  events: number
  seedSeconds: number
  admission: TurnWrites
  reports: { own: LatencySummary; byUser: LatencySummary }
}

async function runTarget(name: string, db: Database, events: number): Promise<TargetResult> {
  await prepareDatabase(db)
  const seedStart = performance.now()
  const { userIds } = await seedUsageAtScale(db, { users, events, days, models }, (n) =>
    console.error(`${name}: ${n.toLocaleString('en')} usage rows`),
  )
  const seedSeconds = (performance.now() - seedStart) / 1000
  const [userId, adminId] = userIds
  if (!userId || !adminId) throw new Error('the seed made no users')
  await db.asOwner((owner) =>
    owner.query(
      `update auth.users set raw_app_meta_data = '{"role":"admin"}' where id = $1::uuid`,
      [adminId],
    ),
  )
  const admission = await measureTurnWrites(db, claimsOf(userId), turns)
  const reports = await measureReports(db, claimsOf(userId), claimsOf(adminId, true))
  return { name, events, seedSeconds, admission, reports }
}

const ms = (s: LatencySummary) => ({ 'p50 ms': round(s.p50Ms), 'p95 ms': round(s.p95Ms) })

function rowsOf(result: TargetResult): BenchReport['rows'] {
  const { without, withBudget } = result.admission
  const ledger = `${(result.events / 1e6).toLocaleString('en')}M usage rows`
  return [
    { database: result.name, case: 'turn writes, no admission', ...ms(without) },
    { database: result.name, case: 'turn writes, reserve + settle', ...ms(withBudget) },
    {
      database: result.name,
      case: 'admission adds',
      'p50 ms': round(withBudget.p50Ms - without.p50Ms),
      'p95 ms': round(withBudget.p95Ms - without.p95Ms),
    },
    {
      database: result.name,
      case: 'admission adds, median over blocks',
      'p50 ms': round(result.admission.blockAddsP50Ms),
      'p95 ms': '',
    },
    {
      database: result.name,
      case: 'CPU per turn, no admission',
      ...ms(result.admission.cpu.without),
    },
    {
      database: result.name,
      case: 'CPU per turn, reserve + settle',
      ...ms(result.admission.cpu.withBudget),
    },
    {
      database: result.name,
      case: 'admission adds, CPU',
      'p50 ms': round(result.admission.cpu.withBudget.p50Ms - result.admission.cpu.without.p50Ms),
      'p95 ms': round(result.admission.cpu.withBudget.p95Ms - result.admission.cpu.without.p95Ms),
    },
    {
      database: result.name,
      case: `GET /usage (own, by day), ${ledger}`,
      ...ms(result.reports.own),
    },
    {
      database: result.name,
      case: `GET /admin/usage?groupBy=user, ${ledger}`,
      ...ms(result.reports.byUser),
    },
  ]
}

/** `pnpm bench spend`: what budgets add to a turn, and the usage reports over a large ledger. */
export default async function spendBench(): Promise<BenchReport> {
  const results: TargetResult[] = []
  const loadBefore = os.loadavg()
  const embedded = await createDatabase({ kind: 'pglite' })
  try {
    results.push(await runTarget('embedded (PGlite)', embedded, eventsOn.embedded))
  } finally {
    await embedded.close()
  }
  const adminUrl = process.env.BENCH_DATABASE_URL?.trim()
  if (adminUrl) {
    const fresh = await freshDatabase(adminUrl, 'parley_bench_spend')
    const db = await createDatabase({ kind: 'postgres', url: fresh.url, maxConnections: 4 })
    try {
      results.push(await runTarget('Postgres', db, eventsOn.postgres))
    } finally {
      await db.close()
      await fresh.drop()
    }
  }
  const loadAfter = os.loadavg()
  return {
    name: 'spend',
    description: `budget admission per turn (${turns} turns each way, in alternating blocks) and usage reports over a seeded ledger (${users} users, ${models} models, ${days} days)`,
    header: [
      `load average (1/5/15 min) before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}; ${os.cpus().length} CPUs`,
    ],
    rows: results.flatMap(rowsOf),
    notes: [
      "turn writes: the prepare and settle transactions of one turn as the API runs them (withUser, RLS on: begin_turn, then settle_turn); with budgets the first also reserves the worst case (reserve_budget), settle_turn releases it in its own round trip and the usage row keeps the budget's running total; without, that upkeep is a no-op. Alternating blocks of 50 timed turns each (after 5 untimed); the median over blocks is of each block pair's p50 difference. CPU per turn: this process (PGlite runs in it) plus the Postgres client backends (/proc/<pid>/schedstat, local Postgres only), less sensitive than wall time to a busy machine.",
      'usage reports: the two transactions the route runs (the budget period, then the rollup query); goal p95 <= 200 ms.',
      ...(adminUrl ? [] : ['Postgres: skipped (set BENCH_DATABASE_URL)']),
    ],
    details: Object.fromEntries(results.map((r) => [r.name, r])),
  }
}
