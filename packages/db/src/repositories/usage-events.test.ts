import { usageEvents } from '@parley/schema/tables'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../client.ts'
import { createTestDatabase, createTestUser } from '../testing/index.ts'
import { insertUsageEvent, usageTotalsByDay } from './usage-events.ts'

let db: Database
beforeAll(async () => {
  db = await createTestDatabase()
})
afterAll(() => db?.close())

describe('usage totals', () => {
  it('sum the caller’s calls per UTC day and model', async () => {
    const user = await createTestUser(db)
    const other = await createTestUser(db, { admin: true })
    const calls = [
      { at: '2026-11-20T23:59:00Z', model: 'gpt-a', input: 100, output: 10, cost: 1_000 },
      { at: '2026-11-20T08:00:00Z', model: 'gpt-a', input: 50, output: 5, cost: 500 },
      { at: '2026-11-20T09:00:00Z', model: 'claude-b', input: 7, output: 3, cost: 70 },
      { at: '2026-11-21T00:00:00Z', model: 'gpt-a', input: 1, output: 1, cost: 1 },
      { at: '2026-11-23T00:00:00Z', model: 'gpt-a', input: 9, output: 9, cost: 9 },
    ]
    const ids = await db.withUser(user.claims, async (tx) => {
      const inserted: string[] = []
      for (const call of calls) {
        const row = await insertUsageEvent(tx, {
          provider: 'openai',
          model: call.model,
          status: 'ok',
          inputTokens: call.input,
          outputTokens: call.output,
          costMicroUsd: call.cost,
        })
        inserted.push(row.id)
      }
      return inserted
    })
    // Users cannot rewrite their ledger, so the service backdates the rows.
    await db.asService(async (tx) => {
      for (const [i, id] of ids.entries()) {
        await tx
          .update(usageEvents)
          .set({ createdAt: new Date(calls[i]?.at ?? '') })
          .where(eq(usageEvents.id, id))
      }
    })
    // An admin's own totals do not include the user's calls.
    await db.withUser(other.claims, (tx) =>
      insertUsageEvent(tx, { provider: 'openai', model: 'gpt-a', status: 'ok', costMicroUsd: 5 }),
    )

    const totals = await db.withUser(user.claims, (tx) =>
      usageTotalsByDay(tx, { from: '2026-11-20', to: '2026-11-21' }),
    )
    expect(totals).toEqual([
      {
        day: '2026-11-20',
        model: 'claude-b',
        calls: 1,
        inputTokens: 7,
        outputTokens: 3,
        cachedInputTokens: 0,
        costMicroUsd: 70,
      },
      {
        day: '2026-11-20',
        model: 'gpt-a',
        calls: 2,
        inputTokens: 150,
        outputTokens: 15,
        cachedInputTokens: 0,
        costMicroUsd: 1_500,
      },
      {
        day: '2026-11-21',
        model: 'gpt-a',
        calls: 1,
        inputTokens: 1,
        outputTokens: 1,
        cachedInputTokens: 0,
        costMicroUsd: 1,
      },
    ])
  })

  it('reject an event with an unknown status or negative cost', async () => {
    const user = await createTestUser(db)
    for (const bad of [
      { provider: 'openai', model: 'm', status: 'great' },
      { provider: 'openai', model: 'm', status: 'ok', costMicroUsd: -1 },
      { provider: '', model: 'm', status: 'ok' },
    ]) {
      await expect(
        db.withUser(user.claims, (tx) =>
          insertUsageEvent(tx, bad as Parameters<typeof insertUsageEvent>[1]),
        ),
      ).rejects.toMatchObject({ code: 'invalid_input' })
    }
  })
})
