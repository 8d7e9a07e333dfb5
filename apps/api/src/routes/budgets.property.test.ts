import { randomUUID } from 'node:crypto'
import { getBudgetState, reserveBudget, setBudgetOverride } from '@parley/db'
import { inspect } from '@parley/db/testing'
import { usdToMicros } from '@parley/llm'
import fc from 'fast-check'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultLimits } from '../config.ts'
import { sweepStaleReservations } from '../services/budget-sweeper.ts'
import { eventually, readEvents, startTestServer, type TestServer } from '../testing/test-server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({
    maxConcurrentStreams: 20,
    limits: { ...defaultLimits, requestsPerMinute: 10_000, turnsPerMinute: 10_000 },
  })
})
afterAll(() => server?.close())

type User = Awaited<ReturnType<TestServer['user']>>

const outcomes = [
  'complete',
  'stopped',
  'cut_mid_stream',
  'failed_before_first_token',
  'fallback',
  'crash',
] as const
type Outcome = (typeof outcomes)[number]

interface TurnPlan {
  user: number
  outcome: Outcome
  /** What the provider reports for a reply that completes: within the turn's output allowance. */
  outputTokens: number
}

const turnPlan = (users: number) =>
  fc.record({
    user: fc.nat({ max: users - 1 }),
    outcome: fc.constantFrom(...outcomes),
    // Often the whole allowance: the turns that press hardest on a limit.
    outputTokens: fc.oneof(fc.constant(16_000), fc.integer({ min: 1, max: 16_000 })),
  })

const runPlan = fc.integer({ min: 1, max: 2 }).chain((users) =>
  fc.record({
    /** Each user's limit, in worst-case turns (and a half). */
    limits: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: users, maxLength: users }),
    /** Steps run one after another; the turns of one step run at once. */
    steps: fc.array(fc.array(turnPlan(users), { minLength: 1, maxLength: 3 }), {
      minLength: 1,
      maxLength: 4,
    }),
  }),
)

const defaults = { limitMicroUsd: null, period: 'monthly' } as const
/** The sends' contents all have one length, so one worst case prices them all. */
const contentFor = () => `budget property ${randomUUID()}`

async function setLimit(user: User, limitMicroUsd: number) {
  const admin = await server.user({ admin: true })
  await server.db.withUser(admin.claims, (tx) =>
    setBudgetOverride(tx, user.id, { limitMicroUsd, period: 'monthly' }),
  )
}

/** The worst case one send reserves: what a refusal at a zero limit reports. */
async function worstCaseTurn(user: User): Promise<number> {
  await setLimit(user, 0)
  const conversationId = await server.newConversation(user.token)
  const probe = await server.sendStreamed(user.token, conversationId, { content: contentFor() })
  const body = (await probe.json()) as { error: { details: { requiredUsd: string } } }
  return usdToMicros(body.error.details.requiredUsd)
}

/** Queues what the fake provider does for this send, matched to its content. */
function script(outcome: Outcome, content: string, outputTokens: number) {
  const usage = { inputTokens: 10, outputTokens }
  const fake = server.fake
  switch (outcome) {
    case 'complete':
      return fake.enqueue({ kind: 'text', text: 'done', usage }, { lastUserMessage: content })
    case 'stopped':
      return fake.enqueue(
        { kind: 'hang', text: 'held open', afterTokens: 1 },
        { lastUserMessage: content },
      )
    case 'cut_mid_stream':
      return fake.enqueue(
        { kind: 'cut', tokens: 40, afterTokens: 10 },
        { lastUserMessage: content },
      )
    case 'failed_before_first_token':
      return fake.enqueue({ kind: 'status', status: 500, times: 20 }, { lastUserMessage: content })
    case 'fallback':
      fake.enqueue(
        { kind: 'status', status: 503, times: 20 },
        { lastUserMessage: content, api: 'openai' },
      )
      return fake.enqueue(
        { kind: 'text', text: 'from the fallback', usage },
        { lastUserMessage: content, api: 'anthropic' },
      )
    case 'crash':
      return undefined
  }
}

/**
 * One send as the plan says. A crash is the process dying after the prepare transaction: the
 * turn's reservation stays behind with nothing else, for the sweeper.
 */
async function playTurn(player: Player, plan: TurnPlan): Promise<void> {
  const { user } = player
  if (plan.outcome === 'crash') {
    const reservation = await server.db.withUser(user.claims, (tx) =>
      reserveBudget(tx, { messageId: randomUUID(), amountMicroUsd: player.worst, defaults }),
    )
    if (reservation.status === 'reserved') player.crashed += player.worst
    return
  }
  const content = contentFor()
  script(plan.outcome, content, plan.outputTokens)
  const conversationId = await server.newConversation(user.token)
  const stop = new AbortController()
  const response = await server.sendStreamed(user.token, conversationId, { content }, stop.signal)
  if (response.status !== 200) {
    expect(response.status).toBe(402)
    return
  }
  if (plan.outcome === 'stopped') {
    // The user stops the reply once its first words arrived.
    await readEvents(response, (event) => event.event === 'delta')
    stop.abort()
    return
  }
  await readEvents(response)
}

interface Player {
  user: User
  worst: number
  limit: number
  /** What the turns that died unsettled left reserved. */
  crashed: number
}

const stateOf = (user: User) =>
  server.db.withUser(user.claims, (tx) => getBudgetState(tx, user.id, defaults))

async function newPlayer(limitInTurns: number): Promise<Player> {
  const user = await server.user()
  const worst = await worstCaseTurn(user)
  const limit = limitInTurns * worst + Math.floor(worst / 2)
  await setLimit(user, limit)
  return { user, worst, limit, crashed: 0 }
}

/** After every turn ended and the sweeper ran: the user's budget against their ledger. */
async function expectBudgetHolds({ user, limit: limitMicroUsd }: Player) {
  const state = await stateOf(user)
  const ledger = (await inspect.usageOfUser(server.db, user.id))
    .filter((row) => row.createdAt >= state.periodStart && row.createdAt < state.periodEnd)
    .reduce((sum, row) => sum + row.costMicroUsd, 0)
  expect(state.reservedMicroUsd).toBe(0)
  expect(state.spentMicroUsd).toBe(ledger)
  expect(state.spentMicroUsd).toBeLessThanOrEqual(limitMicroUsd)
}

/**
 * What the design allows: a call reserves its worst case (the prompt as counted here, the whole
 * output allowance it sends) before each model it tries, so settled spend passes the limit only
 * by what a provider reports beyond that estimate (it counts prompt tokens its own way). The
 * scripted providers here report within it, so spent never passes the limit at all.
 */
describe('budgets over random sequences of turns', () => {
  it('keep spent equal to the ledger, within the limit, with no reservation left and rollups that add up', async () => {
    await fc.assert(
      fc.asyncProperty(runPlan, async ({ limits, steps }) => {
        const players = await Promise.all(limits.map((turns) => newPlayer(turns)))
        for (const step of steps) {
          await Promise.all(step.map((plan) => playTurn(players[plan.user] as Player, plan)))
          await eventually(() => server.deps.turns.liveCount === 0)
        }
        for (const { user, crashed } of players) {
          // Every turn that ended settled its reservations; only the crashed ones are left.
          expect((await stateOf(user)).reservedMicroUsd).toBe(crashed)
          await inspect.ageReservationsOf(server.db, user.id, 7_200)
        }
        await sweepStaleReservations(server.db, 3_600, pino({ level: 'silent' }))
        for (const player of players) await expectBudgetHolds(player)
        const userIds = players.map(({ user }) => user.id)
        expect(await inspect.rollupMismatches(server.db, userIds)).toEqual([])
      }),
      { seed: 20261207, numRuns: 40, endOnFailure: true },
    )
  })
})
