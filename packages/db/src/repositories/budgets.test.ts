import { budgetReservations, budgets, usageEvents } from '@parley/schema/tables'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Tx } from '../client.ts'
import { createTestDatabase, createTestUser, type TestUser } from '../testing/index.ts'
import { type BudgetDefaults, getBudgetState, reserveBudget, setBudgetOverride } from './budgets.ts'
import { createConversation } from './conversations.ts'
import { beginTurn, settleTurn } from './turns.ts'
import { insertUsageEvent } from './usage-events.ts'

let db: Database
beforeAll(async () => {
  db = await createTestDatabase()
})
afterAll(() => db?.close())

const as = <T>(user: TestUser, fn: (tx: Tx) => Promise<T>) => db.withUser(user.claims, fn)
const defaults: BudgetDefaults = { limitMicroUsd: 1_000, period: 'monthly' }
const usage = (costMicroUsd: number) =>
  ({ provider: 'openai', model: 'm-1', status: 'ok', costMicroUsd }) as const

const reserve = (user: TestUser, amountMicroUsd: number, messageId: string | null = null) =>
  as(user, (tx) => reserveBudget(tx, { messageId, amountMicroUsd, defaults }))

/** What the period's ledger rows cost, summed the slow way. */
async function ledgerSpent(user: TestUser, since: Date): Promise<number> {
  const rows = await db.asService((tx) =>
    tx
      .select({ cost: usageEvents.costMicroUsd })
      .from(usageEvents)
      .where(
        sql`${usageEvents.userId} = ${user.id} and ${usageEvents.createdAt} >= ${since.toISOString()}::timestamptz`,
      ),
  )
  return rows.reduce((sum, row) => sum + row.cost, 0)
}

const budgetRow = async (user: TestUser) =>
  (await db.asService((tx) => tx.select().from(budgets).where(eq(budgets.userId, user.id))))[0]

describe('the running spend of a budget', () => {
  it('follows the ledger as rows are added, corrected and removed, and refuses past the limit', async () => {
    const user = await createTestUser(db)
    await as(user, (tx) => insertUsageEvent(tx, usage(100)))
    const first = await reserve(user, 0)
    expect(first.state.spentMicroUsd).toBe(100)
    const row = await as(user, (tx) => insertUsageEvent(tx, usage(250)))
    await db.asService((tx) =>
      tx.update(usageEvents).set({ costMicroUsd: 300 }).where(eq(usageEvents.id, row.id)),
    )
    await as(user, (tx) => insertUsageEvent(tx, usage(50)))
    await db.asService((tx) =>
      tx.delete(usageEvents).where(sql`${usageEvents.userId} = ${user.id} and cost_micro_usd = 50`),
    )
    expect((await budgetRow(user))?.spentMicroUsd).toBe(400)
    expect(await ledgerSpent(user, first.state.periodStart)).toBe(400)

    const held = await reserve(user, 500)
    expect(held).toMatchObject({ status: 'reserved', state: { spentMicroUsd: 400 } })
    const refused = await reserve(user, 101)
    expect(refused).toMatchObject({
      status: 'refused',
      state: { spentMicroUsd: 400, reservedMicroUsd: 500, limitMicroUsd: 1_000 },
    })
    expect(await reserve(user, 100)).toMatchObject({ status: 'reserved' })
  })

  it('is recomputed from the rollups for another period kind and after a bulk load', async () => {
    const user = await createTestUser(db)
    const admin = await createTestUser(db, { admin: true })
    await as(user, (tx) => insertUsageEvent(tx, usage(70)))
    // A row from before this month: in no current period.
    await db.asService((tx) =>
      tx.insert(usageEvents).values({
        ...usage(1_000),
        userId: user.id,
        createdAt: new Date(Date.now() - 40 * 86_400_000),
      }),
    )
    expect((await reserve(user, 0)).state).toMatchObject({ spentMicroUsd: 70, period: 'monthly' })
    await db.withUser(admin.claims, (tx) =>
      setBudgetOverride(tx, user.id, { limitMicroUsd: 1_000, period: 'daily' }),
    )
    expect((await reserve(user, 0)).state).toMatchObject({ spentMicroUsd: 70, period: 'daily' })

    await db.asOwner(async (owner) => {
      await owner.exec('alter table public.usage_events disable trigger usage_events_roll_up')
      await owner.query(
        `insert into public.usage_events (user_id, provider, model, cost_micro_usd, status)
         values ($1::uuid, 'openai', 'm-1', 30, 'ok')`,
        [user.id],
      )
      await owner.exec('alter table public.usage_events enable trigger usage_events_roll_up')
      await owner.exec('select public.usage_rollups_rebuild()')
    })
    expect((await reserve(user, 0)).state.spentMicroUsd).toBe(100)
    const state = await as(user, (tx) => getBudgetState(tx, user.id, defaults))
    expect(state.spentMicroUsd).toBe(100)
  })
})

describe('settling a turn', () => {
  async function openTurn(user: TestUser) {
    const c = await as(user, (tx) => createConversation(tx))
    const begun = await as(user, (tx) =>
      beginTurn(tx, {
        kind: 'send',
        conversationId: c.id,
        content: 'hello',
        tokenCount: 1,
        offered: ['m-1'],
        defaultModel: 'm-1',
        historyTokens: 1_000,
      }),
    )
    if (begun.status !== 'new') throw new Error(`turn not opened: ${begun.status}`)
    return begun.assistantMessage.id
  }

  const outcome = (messageId: string, settleBudget: boolean) => ({
    messageId,
    settleBudget,
    reply: {
      content: 'hi',
      status: 'complete' as const,
      model: 'm-1',
      provider: 'openai',
      inputTokens: 5,
      outputTokens: 1,
      cachedInputTokens: 0,
      tokenCount: 1,
      costMicroUsd: 40,
      ttftMs: 5,
      latencyMs: 9,
      error: null,
      metadata: {},
    },
    usage: usage(40),
  })

  const reservationsOf = (user: TestUser) =>
    db.asService((tx) =>
      tx.select().from(budgetReservations).where(eq(budgetReservations.userId, user.id)),
    )

  it('releases every reservation of its reply in the same round trip, and no other', async () => {
    const user = await createTestUser(db)
    const replyId = await openTurn(user)
    await reserve(user, 300, replyId)
    // A dearer fallback's difference, reserved while the reply streamed.
    await reserve(user, 200, replyId)
    const title = await reserve(user, 50)
    await as(user, (tx) => settleTurn(tx, outcome(replyId, true)))
    expect((await reservationsOf(user)).map((r) => r.amountMicroUsd)).toEqual([50])
    const state = await as(user, (tx) => getBudgetState(tx, user.id, defaults))
    expect(state).toMatchObject({ spentMicroUsd: 40, reservedMicroUsd: 50 })
    expect(title.status).toBe('reserved')
  })

  it('keeps the reservations without settleBudget (the caller settles them)', async () => {
    const user = await createTestUser(db)
    const replyId = await openTurn(user)
    await reserve(user, 300, replyId)
    await as(user, (tx) => settleTurn(tx, outcome(replyId, false)))
    expect((await reservationsOf(user)).map((r) => r.amountMicroUsd)).toEqual([300])
  })
})
