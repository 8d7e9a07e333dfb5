import { getBudgetState, reserveBudget, setBudgetOverride } from '@parley/db'
import { inspect, testDatabaseUrl } from '@parley/db/testing'
import { usdToMicros } from '@parley/llm'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultLimits } from '../config.ts'
import { sweepStaleReservations } from '../services/budget-sweeper.ts'
import { eventually, readEvents, startTestServer, type TestServer } from '../testing/test-server.ts'

// Fifty sends at once by one user: the stream cap and the rate limits must not be what refuses.
const raceReady = {
  maxConcurrentStreams: 100,
  limits: { ...defaultLimits, requestsPerMinute: 10_000, turnsPerMinute: 10_000 },
}

let server: TestServer
beforeAll(async () => {
  // Fifty sends by one user at once: the stream limit is not what this file tests.
  server = await startTestServer(raceReady)
})
afterAll(() => server?.close())

const defaults = { limitMicroUsd: null, period: 'monthly' } as const
type User = Awaited<ReturnType<TestServer['user']>>

/** Who sends, and to which API server (another process on the same database, or this one). */
interface Caller {
  token: string
  via: TestServer
}

const callerOf = (user: User): Caller => ({ token: user.token, via: server })

async function newConversation(caller: Caller): Promise<string> {
  const response = await caller.via.call(caller.token, '/api/v1/conversations', {
    method: 'POST',
    json: {},
  })
  return ((await response.json()) as { id: string }).id
}

function send(caller: Caller, conversationId: string, content: string, signal?: AbortSignal) {
  return caller.via.call(caller.token, `/api/v1/conversations/${conversationId}/messages`, {
    method: 'POST',
    json: { content },
    headers: { accept: 'text/event-stream' },
    ...(signal ? { signal } : {}),
  })
}

async function setLimit(user: User, limitMicroUsd: number | null) {
  const admin = await server.user({ admin: true })
  await server.db.withUser(admin.claims, (tx) =>
    setBudgetOverride(tx, user.id, { limitMicroUsd, period: 'monthly' }),
  )
}

const budgetOf = async (user: User) =>
  (await (await server.call(user.token, '/api/v1/usage/budget')).json()) as Record<string, string>

describe('a refused turn', () => {
  it('answers 402 budget_exceeded with what is left and when it resets, and stores nothing', async () => {
    const user = await server.user()
    await setLimit(user, 0)
    const conversationId = await newConversation(callerOf(user))
    const response = await send(callerOf(user), conversationId, 'refused for budget')
    expect(response.status).toBe(402)
    const body = (await response.json()) as {
      error: { code: string; requestId: string; details: Record<string, string> }
    }
    expect(body.error.code).toBe('budget_exceeded')
    expect(body.error.requestId).toBeTruthy()
    expect(body.error.details.remainingUsd).toBe('0')
    const resetsAt = new Date(body.error.details.resetsAt ?? '')
    const now = new Date()
    expect(resetsAt.toISOString()).toBe(
      new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
    )
    expect(await inspect.messages(server.db, conversationId)).toEqual([])
    expect(await inspect.usageOfUser(server.db, user.id)).toEqual([])
    expect(server.fake.requestsFor({ lastUserMessage: 'refused for budget' })).toEqual([])
  })
})

/**
 * Fifty sends at once by one user whose remaining budget covers exactly `covered` worst-case
 * turns, spread over the callers' servers. Admitted replies hang after their first token, so
 * every reservation is held at once; then all are stopped and settled.
 */
async function raceFifty(user: User, callers: readonly Caller[], content: string) {
  const covered = 7
  // The worst case of one such turn, as the refusal reports it.
  await setLimit(user, 0)
  const probe = await send(callerOf(user), await newConversation(callerOf(user)), content)
  const details = ((await probe.json()) as { error: { details: { requiredUsd: string } } }).error
    .details
  const required = usdToMicros(details.requiredUsd)
  expect(required).toBeGreaterThan(0)
  const limit = covered * required + Math.floor(required / 2)
  await setLimit(user, limit)
  for (const { via } of callers) {
    via.fake.enqueue(
      { kind: 'hang', text: 'held open', afterTokens: 1, times: 50 },
      { lastUserMessage: content },
    )
  }
  const senders = Array.from({ length: 50 }, (_, i) => callers[i % callers.length] as Caller)
  const conversations = await Promise.all(senders.map((caller) => newConversation(caller)))
  const aborts = senders.map(() => new AbortController())
  const responses = await Promise.all(
    senders.map((caller, i) => send(caller, conversations[i] ?? '', content, aborts[i]?.signal)),
  )
  const statuses = responses.map((r) => r.status)
  for (const controller of aborts) controller.abort()
  await eventually(() => callers.every(({ via }) => via.deps.turns.liveCount === 0))
  const refused = conversations.filter((_, i) => statuses[i] === 402)
  return { covered, limit, statuses, refused }
}

async function expectRaceHeld(user: User, race: Awaited<ReturnType<typeof raceFifty>>) {
  expect(race.statuses.filter((s) => s === 200)).toHaveLength(race.covered)
  expect(race.statuses.filter((s) => s === 402)).toHaveLength(50 - race.covered)
  const budget = await budgetOf(user)
  expect(budget.reservedUsd).toBe('0')
  expect(usdToMicros(budget.spentUsd ?? '')).toBeLessThanOrEqual(race.limit)
  for (const id of race.refused) expect(await inspect.messages(server.db, id)).toEqual([])
}

describe('fifty sends at once', () => {
  it('admits no more turns than the remaining budget covers at their worst case', async () => {
    const user = await server.user()
    const race = await raceFifty(user, [callerOf(user)], 'budget race: say something')
    await expectRaceHeld(user, race)
  })

  // Two API servers with their own connection pools on one Postgres (PGlite has one connection).
  describe.skipIf(!testDatabaseUrl)('on two API servers sharing one database', () => {
    let second: TestServer
    beforeAll(async () => {
      second = await startTestServer(raceReady)
    })
    afterAll(() => second?.close())

    it('admits no more turns than the budget covers either', async () => {
      const user = await server.user()
      const callers = [callerOf(user), { token: await second.tokenFor(user), via: second }]
      const race = await raceFifty(user, callers, 'budget race on two servers')
      await expectRaceHeld(user, race)
    })
  })
})

describe('a user without a limit', () => {
  /** Sends `content` with its reply held open after one token; the budget as the reply waits. */
  async function budgetWhileStreaming(user: User, content: string) {
    server.fake.enqueue(
      { kind: 'hang', text: 'held open', afterTokens: 1 },
      { lastUserMessage: content },
    )
    const caller = callerOf(user)
    const aborts = new AbortController()
    const response = await send(caller, await newConversation(caller), content, aborts.signal)
    expect(response.status).toBe(200)
    await eventually(() => server.fake.requestsFor({ lastUserMessage: content }).length === 1)
    const budget = await budgetOf(user)
    aborts.abort()
    await eventually(() => server.deps.turns.liveCount === 0)
    return budget
  }

  it('reserves nothing for a turn, while a limited user holds its worst case; both spends count', async () => {
    const exempt = await server.user()
    await setLimit(exempt, null)
    const free = await budgetWhileStreaming(exempt, `exempt ${crypto.randomUUID()}`)
    expect(free).toMatchObject({ limitUsd: null, reservedUsd: '0' })

    const limited = await server.user()
    await setLimit(limited, 50_000_000)
    const held = await budgetWhileStreaming(limited, `limited ${crypto.randomUUID()}`)
    expect(usdToMicros(held.reservedUsd ?? '')).toBeGreaterThan(0)

    for (const user of [exempt, limited]) {
      const rows = await eventually(async () => {
        const found = await inspect.usageOfUser(server.db, user.id)
        return found.length > 0 && found
      })
      const budget = await budgetOf(user)
      expect(budget.reservedUsd).toBe('0')
      expect(usdToMicros(budget.spentUsd ?? '')).toBe(
        rows.reduce((sum, row) => sum + row.costMicroUsd, 0),
      )
    }
  })
})

describe('GET /usage/budget', () => {
  it('shows the limit, what replies and titles cost and what is left this period', async () => {
    const user = await server.user()
    await setLimit(user, 5_000_000)
    server.fake.enqueue(
      { kind: 'text', text: 'a priced reply', usage: { inputTokens: 1000, outputTokens: 1000 } },
      { lastUserMessage: 'spend a little' },
    )
    const caller = callerOf(user)
    const response = await send(caller, await newConversation(caller), 'spend a little')
    await response.text()
    // The reply's usage row and the title's (a first exchange names the conversation).
    const rows = await eventually(async () => {
      const found = await inspect.usageOfUser(server.db, user.id)
      return found.length === 2 && found
    })
    const title = rows.find((row) => row.messageId === null)
    expect(title?.costMicroUsd).toBeGreaterThan(0)
    const spent = rows.reduce((sum, row) => sum + row.costMicroUsd, 0)
    const budget = await budgetOf(user)
    expect(budget).toMatchObject({ limitUsd: '5', period: 'monthly', reservedUsd: '0' })
    expect(usdToMicros(budget.spentUsd ?? '')).toBe(spent)
    expect(usdToMicros(budget.remainingUsd ?? '')).toBe(5_000_000 - spent)
  })
})

/** The worst case a send of `content` reserves, as a refusal at a zero limit reports it. */
async function worstCaseOf(user: User, content: string): Promise<number> {
  await setLimit(user, 0)
  const probe = await send(callerOf(user), await newConversation(callerOf(user)), content)
  const body = (await probe.json()) as { error: { details: { requiredUsd: string } } }
  return usdToMicros(body.error.details.requiredUsd)
}

describe('a fallback to a dearer model', () => {
  it('ends the turn with budget_exceeded when the budget cannot cover the difference, keeping the message', async () => {
    const user = await server.user()
    const content = `fallback over budget ${crypto.randomUUID()}`
    const worst = await worstCaseOf(user, content)
    // The first model's worst case fits; the fallback's (twice the price) does not.
    await setLimit(user, Math.floor(worst * 1.5))
    server.fake.enqueue(
      { kind: 'status', status: 503, times: 20 },
      { lastUserMessage: content, api: 'openai' },
    )
    const conversationId = await newConversation(callerOf(user))
    const events = await readEvents(await send(callerOf(user), conversationId, content))
    const error = events.find((event) => event.event === 'error')?.data as {
      error: { code: string; requestId: string }
    }
    expect(error.error.code).toBe('budget_exceeded')
    expect(error.error.requestId).toBeTruthy()
    expect(server.fake.requestsFor({ lastUserMessage: content, api: 'anthropic' })).toEqual([])
    const [question, reply] = await inspect.messages(server.db, conversationId)
    expect(question).toMatchObject({ role: 'user', content })
    expect(reply).toMatchObject({ role: 'assistant', status: 'error', costMicroUsd: 0 })
    expect(reply?.error).toMatchObject({ code: 'refused' })
    await eventually(async () => (await budgetOf(user)).reservedUsd === '0')
    expect(usdToMicros((await budgetOf(user)).spentUsd ?? '')).toBeLessThanOrEqual(worst * 1.5)
  })

  it('reserves the difference and answers from the fallback when the budget covers it', async () => {
    const user = await server.user()
    const content = `fallback within budget ${crypto.randomUUID()}`
    const worst = await worstCaseOf(user, content)
    await setLimit(user, worst * 4)
    server.fake.enqueue(
      { kind: 'status', status: 503, times: 20 },
      { lastUserMessage: content, api: 'openai' },
    )
    server.fake.enqueue(
      { kind: 'text', text: 'from the fallback' },
      { lastUserMessage: content, api: 'anthropic' },
    )
    const conversationId = await newConversation(callerOf(user))
    const events = await readEvents(await send(callerOf(user), conversationId, content))
    expect(events.at(-1)?.event).toBe('done')
    const [, reply] = await inspect.messages(server.db, conversationId)
    expect(reply).toMatchObject({ status: 'complete', content: 'from the fallback' })
    await eventually(async () => (await budgetOf(user)).reservedUsd === '0')
  })
})

describe('a title', () => {
  it('is not asked of a model the budget cannot cover: the heuristic title, no cost', async () => {
    const user = await server.user()
    const content = `Plan a quiet picnic by the river ${crypto.randomUUID()}`
    const worst = await worstCaseOf(user, content)
    await setLimit(user, worst)
    // The reply spends its whole output allowance: what is left cannot cover a title's worst case.
    server.fake.enqueue(
      { kind: 'text', text: 'a long reply', usage: { inputTokens: 0, outputTokens: 16_000 } },
      { lastUserMessage: content },
    )
    const conversationId = await newConversation(callerOf(user))
    const events = await readEvents(await send(callerOf(user), conversationId, content))
    const done = events.find((event) => event.event === 'done')?.data as {
      conversation: { title: string }
    }
    expect(done.conversation.title).toBe('Plan a quiet picnic by the')
    expect(server.fake.requestsFor({ lastUserMessageIncludes: content })).toHaveLength(1)
    const rows = await inspect.usageOfUser(server.db, user.id)
    expect(rows.map((row) => row.messageId === null)).toEqual([false])
    const budget = await budgetOf(user)
    expect(budget.reservedUsd).toBe('0')
    expect(usdToMicros(budget.spentUsd ?? '')).toBeLessThanOrEqual(worst)
  })
})

describe('the sweeper', () => {
  it('releases a reservation that outlived its turn, and keeps a fresh one', async () => {
    const user = await server.user()
    await setLimit(user, 1_000_000)
    const reserve = () =>
      server.db.withUser(user.claims, (tx) =>
        reserveBudget(tx, { messageId: crypto.randomUUID(), amountMicroUsd: 400_000, defaults }),
      )
    const stale = await reserve()
    const fresh = await reserve()
    if (stale.status !== 'reserved' || fresh.status !== 'reserved') throw new Error('reserved')
    await inspect.ageReservation(server.db, stale.reservationId, 7200)
    expect((await reserve()).status).toBe('refused')
    await sweepStaleReservations(server.db, 3600, pino({ level: 'silent' }))
    const state = await server.db.withUser(user.claims, (tx) =>
      getBudgetState(tx, user.id, defaults),
    )
    expect(state.reservedMicroUsd).toBe(400_000)
    expect((await reserve()).status).toBe('reserved')
  })
})

describe('admin budget routes', () => {
  it('are refused to ordinary users with the error envelope', async () => {
    const user = await server.user()
    const list = await server.call(user.token, '/api/v1/admin/budgets')
    expect(list.status).toBe(403)
    const put = await server.call(user.token, `/api/v1/admin/budgets/${user.id}`, {
      method: 'PUT',
      json: { limitUsd: '1000', period: 'monthly' },
    })
    expect(put.status).toBe(403)
    expect(((await put.json()) as { error: { code: string } }).error.code).toBe('forbidden')
    expect((await budgetOf(user)).limitUsd).toBeNull()
  })

  it('let an admin set a limit, exempt a user, and list them', async () => {
    const admin = await server.user({ admin: true })
    const user = await server.user()
    const put = await server.call(admin.token, `/api/v1/admin/budgets/${user.id}`, {
      method: 'PUT',
      json: { limitUsd: '12.5', period: 'weekly' },
    })
    expect(put.status).toBe(200)
    expect(await budgetOf(user)).toMatchObject({ limitUsd: '12.5', period: 'weekly' })
    await server.call(admin.token, `/api/v1/admin/budgets/${user.id}`, {
      method: 'PUT',
      json: { limitUsd: null, period: 'monthly' },
    })
    expect((await budgetOf(user)).limitUsd).toBeNull()
    const list = (await (await server.call(admin.token, '/api/v1/admin/budgets')).json()) as {
      items: { userId: string; limitUsd: string | null }[]
    }
    expect(list.items).toContainEqual(expect.objectContaining({ userId: user.id, limitUsd: null }))
    const bad = await server.call(admin.token, `/api/v1/admin/budgets/${user.id}`, {
      method: 'PUT',
      json: { limitUsd: '-3', period: 'yearly' },
    })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('validation_error')
  })
})
