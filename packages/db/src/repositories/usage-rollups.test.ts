import {
  conversations,
  usageDaily,
  usageDailyConversations,
  usageEvents,
} from '@parley/schema/tables'
import { eq, inArray, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Tx } from '../client.ts'
import { executedRows } from '../json-row.ts'
import { readMigrations } from '../migrate.ts'
import { createTestDatabase, createTestUser, type TestUser } from '../testing/index.ts'
import { createConversation } from './conversations.ts'
import { insertUsageEvent } from './usage-events.ts'
import { histogramPercentile, sumUsageGroups, usageRollup } from './usage-rollups.ts'

let db: Database
beforeAll(async () => {
  db = await createTestDatabase()
})
afterAll(() => db?.close())

type Seed = {
  user: TestUser
  at?: string
  model: string
  provider?: string
  conversationId?: string
  input?: number
  output?: number
  cached?: number
  cost?: number
  ttft?: number | null
  latency?: number | null
  status?: 'ok' | 'error' | 'aborted'
}

const values = (seed: Seed) => ({
  provider: seed.provider ?? 'openai',
  model: seed.model,
  conversationId: seed.conversationId ?? null,
  inputTokens: seed.input ?? 10,
  outputTokens: seed.output ?? 5,
  cachedInputTokens: seed.cached ?? 0,
  costMicroUsd: seed.cost ?? 100,
  ttftMs: seed.ttft === undefined ? 250 : seed.ttft,
  latencyMs: seed.latency === undefined ? 900 : seed.latency,
  status: seed.status ?? 'ok',
})

/** Today's events go in as their user; other days are written by the service, backdated. */
async function record(seed: Seed): Promise<void> {
  if (!seed.at) {
    await db.withUser(seed.user.claims, (tx) => insertUsageEvent(tx, values(seed)))
    return
  }
  await db.asService((tx) =>
    tx.insert(usageEvents).values({
      ...values(seed),
      userId: seed.user.id,
      createdAt: new Date(seed.at ?? ''),
    }),
  )
}

interface Sums {
  user_id: string
  day: string
  model: string
  provider: string
  requests: number
  input_tokens: number
  output_tokens: number
  cached_input_tokens: number
  cost_micro_usd: number
  errors: number
  ttft_count: number
  ttft_sum_ms: number
  latency_count: number
  latency_sum_ms: number
}

const normalise = (rows: Record<string, unknown>[]) =>
  rows
    .map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => [
          k,
          typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v,
        ]),
      ),
    )
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))

/** What the ledger says, summed straight from usage_events. */
async function ledgerSums(userIds: string[]): Promise<Record<string, unknown>[]> {
  const rows = await db.asService(async (tx: Tx) =>
    executedRows<Sums>(
      await tx.execute(sql`
        select user_id::text, to_char((created_at at time zone 'UTC')::date, 'YYYY-MM-DD') as day,
          model, provider, count(*)::int as requests,
          sum(input_tokens)::int as input_tokens, sum(output_tokens)::int as output_tokens,
          sum(cached_input_tokens)::int as cached_input_tokens,
          sum(cost_micro_usd)::int as cost_micro_usd,
          (count(*) filter (where status = 'error'))::int as errors,
          count(ttft_ms)::int as ttft_count, coalesce(sum(ttft_ms), 0)::int as ttft_sum_ms,
          count(latency_ms)::int as latency_count, coalesce(sum(latency_ms), 0)::int as latency_sum_ms
        from public.usage_events
        where user_id in (${sql.join(
          userIds.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})
        group by 1, 2, 3, 4`),
    ),
  )
  return normalise(rows as unknown as Record<string, unknown>[])
}

async function rollupSums(userIds: string[]): Promise<Record<string, unknown>[]> {
  const rows = await db.asService((tx) =>
    tx.select().from(usageDaily).where(inArray(usageDaily.userId, userIds)),
  )
  return normalise(
    rows.map((r) => ({
      user_id: r.userId,
      day: r.day,
      model: r.model,
      provider: r.provider,
      requests: r.requests,
      input_tokens: r.inputTokens,
      output_tokens: r.outputTokens,
      cached_input_tokens: r.cachedInputTokens,
      cost_micro_usd: r.costMicroUsd,
      errors: r.errors,
      ttft_count: r.ttftCount,
      ttft_sum_ms: r.ttftSumMs,
      latency_count: r.latencyCount,
      latency_sum_ms: r.latencySumMs,
    })),
  )
}

describe('usage rollups', () => {
  it('equal the ledger’s sums after a mix of users, models, days, errors and concurrent calls', async () => {
    const alice = await createTestUser(db)
    const bob = await createTestUser(db)
    const conversation = await db.withUser(alice.claims, (tx) => createConversation(tx))
    const seeds: Seed[] = [
      { user: alice, model: 'gpt-a', conversationId: conversation.id, ttft: 90 },
      { user: alice, model: 'gpt-a', status: 'error', ttft: null, cost: 0 },
      { user: alice, model: 'claude-b', provider: 'anthropic', cached: 4, ttft: 1200 },
      { user: alice, at: '2026-11-20T23:59:59.999Z', model: 'gpt-a', cost: 1_000 },
      { user: alice, at: '2026-11-21T00:00:00Z', model: 'gpt-a', status: 'aborted', latency: null },
      { user: bob, at: '2026-11-20T12:00:00Z', model: 'gpt-a', ttft: 12_000 },
      { user: bob, model: 'gpt-a', status: 'error', ttft: null },
    ]
    for (const seed of seeds) await record(seed)
    // Concurrent calls of one user on one day, each in its own transaction.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        record({ user: bob, model: 'gpt-c', cost: 7 + i, ttft: 100 * i, output: i }),
      ),
    )

    const users = [alice.id, bob.id]
    expect(await rollupSums(users)).toEqual(await ledgerSums(users))
    const [bobC] = await db.asService((tx) =>
      tx.select().from(usageDaily).where(eq(usageDaily.model, 'gpt-c')),
    )
    expect(bobC?.requests).toBe(12)
    // TTFTs 0..1100 ms: one in <100, one each in 100-200, 200-300; two in 300-500; ...
    expect(bobC?.ttftHistogram).toEqual([1, 1, 1, 2, 3, 2, 2, 0, 0, 0, 0, 0])

    const [byConversation] = await db.asService((tx) =>
      tx
        .select()
        .from(usageDailyConversations)
        .where(eq(usageDailyConversations.conversationId, conversation.id)),
    )
    expect(byConversation).toMatchObject({ userId: alice.id, requests: 1, costMicroUsd: 100 })
  })

  it('follow the ledger when the service corrects or removes a row', async () => {
    const user = await createTestUser(db)
    await record({ user, model: 'gpt-a', cost: 50 })
    await record({ user, model: 'gpt-a', cost: 60 })
    await db.asService((tx) =>
      tx
        .update(usageEvents)
        .set({ createdAt: new Date('2026-10-01T10:00:00Z') })
        .where(sql`${usageEvents.userId} = ${user.id} and ${usageEvents.costMicroUsd} = 50`),
    )
    expect(await rollupSums([user.id])).toEqual(await ledgerSums([user.id]))
    await db.asService((tx) =>
      tx
        .delete(usageEvents)
        .where(sql`${usageEvents.userId} = ${user.id} and ${usageEvents.costMicroUsd} = 60`),
    )
    expect(await rollupSums([user.id])).toEqual(await ledgerSums([user.id]))
    expect(await rollupSums([user.id])).toHaveLength(1)
  })

  it('leave a deleted conversation’s rows with it, and keep its spend by day', async () => {
    const user = await createTestUser(db)
    const conversation = await db.withUser(user.claims, (tx) => createConversation(tx))
    await record({ user, model: 'gpt-a', conversationId: conversation.id, cost: 70 })
    await db.withUser(user.claims, (tx) =>
      tx.delete(conversations).where(eq(conversations.id, conversation.id)),
    )
    const left = await db.asService((tx) =>
      tx.select().from(usageDailyConversations).where(eq(usageDailyConversations.userId, user.id)),
    )
    expect(left).toEqual([])
    expect(await rollupSums([user.id])).toEqual(await ledgerSums([user.id]))
    const [day] = await rollupSums([user.id])
    expect(day).toMatchObject({ cost_micro_usd: 70, requests: 1 })
  })

  it('are rebuilt from the ledger by the migration’s backfill', async () => {
    const user = await createTestUser(db)
    const conversation = await db.withUser(user.claims, (tx) => createConversation(tx))
    await record({ user, at: '2026-09-01T10:00:00Z', model: 'gpt-a', ttft: 4_000, cost: 3 })
    await record({ user, model: 'gpt-a', conversationId: conversation.id, status: 'error' })
    const before = await rollupSums([user.id])
    const migration = (await readMigrations()).find((m) => m.name === 'usage_rollups')
    const backfill = migration?.statements.filter((s) => s.includes('from public.usage_events e'))
    expect(backfill).toHaveLength(2)
    await db.asOwner(async (owner) => {
      await owner.exec(
        'delete from public.usage_daily; delete from public.usage_daily_conversations',
      )
      for (const statement of backfill ?? []) await owner.exec(statement)
    })
    expect(await rollupSums([user.id])).toEqual(before)
    expect(before).toEqual(await ledgerSums([user.id]))
    const [row] = await db.asService((tx) =>
      tx
        .select()
        .from(usageDailyConversations)
        .where(eq(usageDailyConversations.conversationId, conversation.id)),
    )
    expect(row).toMatchObject({ requests: 1, errors: 1 })
  })

  it('are rebuilt from the ledger by usage_rollups_rebuild, histograms too', async () => {
    const user = await createTestUser(db)
    const conversation = await db.withUser(user.claims, (tx) => createConversation(tx))
    await record({ user, at: '2026-09-02T10:00:00Z', model: 'gpt-a', ttft: 4_000, cost: 3 })
    await record({ user, at: '2026-09-02T11:00:00Z', model: 'gpt-a', ttft: null, cost: 4 })
    await record({ user, model: 'gpt-b', conversationId: conversation.id, status: 'error' })
    const rollupRows = () =>
      db.asService((tx) =>
        tx
          .select()
          .from(usageDaily)
          .where(eq(usageDaily.userId, user.id))
          .orderBy(usageDaily.day, usageDaily.model),
      )
    const before = await rollupRows()
    await db.asOwner((owner) => owner.exec('select public.usage_rollups_rebuild()'))
    expect(await rollupRows()).toEqual(before)
    expect(await rollupSums([user.id])).toEqual(await ledgerSums([user.id]))
    const [row] = await db.asService((tx) =>
      tx
        .select()
        .from(usageDailyConversations)
        .where(eq(usageDailyConversations.conversationId, conversation.id)),
    )
    expect(row).toMatchObject({ requests: 1, errors: 1 })
  })

  it('report by day, model and conversation from the rollups, own rows only', async () => {
    const user = await createTestUser(db)
    const admin = await createTestUser(db, { admin: true })
    const conversation = await db.withUser(user.claims, (tx) =>
      createConversation(tx, { title: 'Plans' }),
    )
    await record({ user, at: '2026-11-10T08:00:00Z', model: 'gpt-a', cost: 10, ttft: 150 })
    await record({ user, at: '2026-11-10T09:00:00Z', model: 'gpt-b', cost: 30, ttft: 450 })
    await record({ user, at: '2026-11-12T09:00:00Z', model: 'gpt-a', cost: 5, status: 'error' })
    await record({ user, at: '2026-11-13T09:00:00Z', model: 'gpt-a', cost: 999 })
    await record({ user, model: 'gpt-a', conversationId: conversation.id, cost: 8 })
    await record({ user: admin, at: '2026-11-10T08:00:00Z', model: 'gpt-a', cost: 1 })

    const range = { from: '2026-11-10', to: '2026-11-12', scope: 'own' } as const
    const byDay = await db.withUser(user.claims, (tx) =>
      usageRollup(tx, { ...range, groupBy: 'day' }),
    )
    expect(byDay.map((g) => [g.key, g.requests, g.costMicroUsd, g.errors])).toEqual([
      ['2026-11-10', 2, 40, 0],
      ['2026-11-12', 1, 5, 1],
    ])
    const byModel = await db.withUser(user.claims, (tx) =>
      usageRollup(tx, { ...range, groupBy: 'model' }),
    )
    expect(byModel.map((g) => [g.key, g.requests, g.costMicroUsd, g.ttftHistogram])).toEqual([
      ['gpt-b', 1, 30, [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]],
      ['gpt-a', 2, 15, [0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    ])
    const today = new Date().toISOString().slice(0, 10)
    const byConversation = await db.withUser(user.claims, (tx) =>
      usageRollup(tx, { from: today, to: today, groupBy: 'conversation', scope: 'own' }),
    )
    expect(byConversation).toEqual([
      expect.objectContaining({ key: conversation.id, label: 'Plans', costMicroUsd: 8 }),
    ])

    // The admin sees everyone's rows with scope `visible`; the user only their own either way.
    const asAdmin = await db.withUser(admin.claims, (tx) =>
      usageRollup(tx, { ...range, groupBy: 'user', scope: 'visible' }),
    )
    expect(
      asAdmin
        .filter((g) => [user.id, admin.id].includes(g.key))
        .map((g) => g.key)
        .sort(),
    ).toEqual([user.id, admin.id].sort())
    expect(asAdmin.find((g) => g.key === user.id)).toMatchObject({
      requests: 3,
      costMicroUsd: 45,
      ttftHistogram: [0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    })
    const asUser = await db.withUser(user.claims, (tx) =>
      usageRollup(tx, { ...range, groupBy: 'user', scope: 'visible' }),
    )
    expect(asUser.map((g) => g.key)).toEqual([user.id])
  })

  it('read percentiles from the histogram and add groups together', () => {
    const histogram = [0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    expect(histogramPercentile(histogram, 0.5)).toBe(150)
    expect(histogramPercentile(histogram, 0.95)).toBe(195)
    expect(histogramPercentile([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4], 0.5)).toBe(10_000)
    expect(histogramPercentile(new Array(12).fill(0), 0.5)).toBeNull()
    const group = {
      key: 'x',
      label: null,
      requests: 1,
      inputTokens: 2,
      outputTokens: 3,
      cachedInputTokens: 4,
      costMicroUsd: 5,
      errors: 0,
      ttftCount: 1,
      ttftSumMs: 150,
      latencyCount: 1,
      latencySumMs: 300,
      ttftHistogram: [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    }
    expect(sumUsageGroups('total', [group, group])).toMatchObject({
      key: 'total',
      requests: 2,
      costMicroUsd: 10,
      ttftHistogram: [0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    })
  })

  it('reject a malformed range', async () => {
    const user = await createTestUser(db)
    await expect(
      db.withUser(user.claims, (tx) =>
        usageRollup(tx, { from: 'yesterday', to: '2026-11-12', groupBy: 'day', scope: 'own' }),
      ),
    ).rejects.toMatchObject({ code: 'invalid_input' })
  })
})
