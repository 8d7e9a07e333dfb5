import { readFileSync } from 'node:fs'
import {
  type BudgetDefaults,
  beginTurn,
  createConversation,
  type Database,
  reserveBudget,
  type SettleTurnInput,
  settleTurn,
} from '@parley/db'
import type { JwtClaims } from '@parley/schema/contracts'
import { type LatencySummary, percentile, summarize } from './stats.ts'

/** A team default that never refuses here: the bench measures the checks, not refusals. */
const defaults: BudgetDefaults = { limitMicroUsd: 1_000_000_000_000, period: 'monthly' }
/** A fresh conversation every so many turns of each kind, so the history stays a chat's size. */
const turnsPerConversation = 20

/** The budget's running-total upkeep that every usage row runs, and a stand-in doing nothing. */
const upkeep = 'public.budget_spend_apply(public.usage_events, integer)'
const noUpkeep = `create or replace function public.budget_spend_apply(u public.usage_events, p_sign integer)
  returns void language plpgsql set search_path = '' as $$ begin return; end $$`

async function upkeepDefinition(db: Database): Promise<string> {
  const [row] = await db.asOwner((owner) =>
    owner.query<{ def: string }>('select pg_get_functiondef($1::regprocedure) as def', [upkeep]),
  )
  if (!row) throw new Error(`${upkeep} is missing`)
  return row.def
}

/**
 * Milliseconds of CPU used so far by this process (PGlite runs in it) and, on a local Postgres,
 * by the database's client backends (`/proc/<pid>/schedstat`, in nanoseconds); read between
 * turns, never inside one.
 */
async function cpuClock(db: Database): Promise<() => number> {
  const pids =
    db.kind === 'postgres'
      ? (
          await db.asOwner((owner) =>
            owner.query<{ pid: number }>(
              `select pid from pg_stat_activity
               where datname = current_database() and backend_type = 'client backend'`,
            ),
          )
        ).map((row) => row.pid)
      : []
  const backendNs = () =>
    pids.reduce((sum, pid) => {
      try {
        return sum + Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0])
      } catch {
        return sum
      }
    }, 0)
  return () => {
    const own = process.cpuUsage()
    return (own.user + own.system) / 1_000 + backendNs() / 1_000_000
  }
}

function outcome(messageId: string, settleBudget: boolean): SettleTurnInput {
  const tokens = { inputTokens: 900, outputTokens: 300, cachedInputTokens: 0 }
  return {
    messageId,
    settleBudget,
    reply: {
      content: 'A reply of a few words.',
      status: 'complete',
      model: 'model-0',
      provider: 'openai',
      ...tokens,
      tokenCount: 6,
      costMicroUsd: 1_234,
      ttftMs: 420,
      latencyMs: 2_100,
      error: null,
      metadata: {},
    },
    usage: { provider: 'openai', model: 'model-0', status: 'ok', costMicroUsd: 1_234, ...tokens },
  }
}

export interface TurnWrites {
  without: LatencySummary
  withBudget: LatencySummary
  /** CPU time per turn (this process and the database's backends), robust to a busy machine. */
  cpu: { without: LatencySummary; withBudget: LatencySummary }
  /** The median over blocks of (with - without), each block's arms measured back to back. */
  blockAddsP50Ms: number
}

/** Turns per block and kind; the first few after each switch are not timed. */
const blockTurns = 50
const warmTurns = 5

/**
 * A turn's two transactions as the API runs them, with budgets and without, in alternating
 * blocks: `begin_turn` (prepare), then `settle_turn` (settle). With budgets the prepare
 * transaction also reserves the worst case (`reserve_budget`), `settle_turn` releases it in its
 * own round trip, and every usage row keeps the budget's running total; without, that upkeep is
 * swapped for a no-op (a function swap invalidates cached plans, so it happens only between
 * blocks, each of which starts with untimed turns).
 */
export async function measureTurnWrites(
  db: Database,
  claims: JwtClaims,
  turns: number,
): Promise<TurnWrites> {
  const realUpkeep = await upkeepDefinition(db)
  let conversationId = ''
  let count = 0
  let cpuNow = await cpuClock(db)
  const cpu = { without: [] as number[], withBudget: [] as number[] }
  const turn = async (budgeted: boolean, timed = false) => {
    if (count++ % turnsPerConversation === 0) {
      conversationId = (await db.withUser(claims, (tx) => createConversation(tx))).id
    }
    const c0 = cpuNow()
    const t0 = performance.now()
    const replyId = await db.withUser(claims, async (tx) => {
      const begun = await beginTurn(tx, {
        kind: 'send',
        conversationId,
        content: 'What does a budget add to a turn?',
        tokenCount: 9,
        offered: ['model-0'],
        defaultModel: 'model-0',
        historyTokens: 128_000,
      })
      if (begun.status !== 'new') throw new Error(`the bench turn did not open: ${begun.status}`)
      const messageId = begun.assistantMessage.id
      if (budgeted) {
        const held = await reserveBudget(tx, { messageId, amountMicroUsd: 50_000, defaults })
        if (held.status !== 'reserved') throw new Error('the bench budget refused a turn')
      }
      return messageId
    })
    await db.withUser(claims, (tx) => settleTurn(tx, outcome(replyId, budgeted)))
    const elapsed = performance.now() - t0
    if (timed) cpu[budgeted ? 'withBudget' : 'without'].push(cpuNow() - c0)
    return elapsed
  }
  const block = async (budgeted: boolean) => {
    await db.asOwner((owner) => owner.exec(budgeted ? realUpkeep : noUpkeep))
    for (let i = 0; i < warmTurns; i++) await turn(budgeted)
    cpuNow = await cpuClock(db)
    const times: number[] = []
    for (let i = 0; i < blockTurns; i++) times.push(await turn(budgeted, true))
    return times
  }
  const without: number[] = []
  const withBudget: number[] = []
  const adds: number[] = []
  const median = (xs: number[]) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      50,
    )
  try {
    for (let b = 0; b < Math.ceil(turns / blockTurns); b++) {
      const budgetedFirst = b % 2 === 1
      const first = await block(budgetedFirst)
      const second = await block(!budgetedFirst)
      const [plain, budgeted] = budgetedFirst ? [second, first] : [first, second]
      without.push(...plain)
      withBudget.push(...budgeted)
      adds.push(median(budgeted) - median(plain))
    }
  } finally {
    await db.asOwner((owner) => owner.exec(realUpkeep))
  }
  return {
    without: summarize(without),
    withBudget: summarize(withBudget),
    cpu: { without: summarize(cpu.without), withBudget: summarize(cpu.withBudget) },
    blockAddsP50Ms: median(adds),
  }
}
