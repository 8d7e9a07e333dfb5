import { setBudgetOverride } from '@parley/db'
import { inspect } from '@parley/db/testing'
import { usdToMicros } from '@parley/llm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processedFile, uploadedFileId } from '../testing/files.ts'
import { eventually, readEvents, startTestServer, type TestServer } from '../testing/test-server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server?.close())

type User = Awaited<ReturnType<TestServer['user']>>

const handbook = `# Staff handbook

## Opening hours

The office opens at half past eight and closes at six. On Fridays it closes at four.

## Parking

Visitors park on level two of the garage behind the library; staff use level three. The garage
gate opens with the visitor card from the front desk, and the lift stops on every level.
`

async function setLimit(user: User, limitMicroUsd: number) {
  const admin = await server.user({ admin: true })
  await server.db.withUser(admin.claims, (tx) =>
    setBudgetOverride(tx, user.id, { limitMicroUsd, period: 'monthly' }),
  )
}

/** A conversation reading the user's handbook, and one reading no files. */
async function conversations(user: User) {
  const fileId = await uploadedFileId(server, user.token, 'handbook.md', handbook)
  expect(await processedFile(server, user.token, fileId)).toMatchObject({ status: 'ready' })
  const withFiles = await server.newConversation(user.token)
  const scoped = await server.call(user.token, `/api/v1/conversations/${withFiles}/files`, {
    method: 'PUT',
    json: { mode: 'files', fileIds: [fileId] },
  })
  expect(scoped.status).toBe(200)
  return { withFiles, withoutFiles: await server.newConversation(user.token) }
}

function send(user: User, conversationId: string, content: string) {
  return server.call(user.token, `/api/v1/conversations/${conversationId}/messages`, {
    method: 'POST',
    json: { content },
    headers: { accept: 'text/event-stream' },
  })
}

/** What a refused send says it needed (the amount it could not reserve). */
async function requiredBy(response: Response): Promise<number> {
  expect(response.status).toBe(402)
  const body = (await response.json()) as {
    error: { code: string; requestId: string; details: { requiredUsd: string } }
  }
  expect(body.error).toMatchObject({ code: 'budget_exceeded', requestId: expect.any(String) })
  return usdToMicros(body.error.details.requiredUsd)
}

const budgetOf = async (user: User) =>
  (await (await server.call(user.token, '/api/v1/usage/budget')).json()) as Record<string, string>

/** The worst case of `question` without passages, and what the handbook's passages add to it. */
async function worstCases(user: User, question: string) {
  const { withFiles, withoutFiles } = await conversations(user)
  await setLimit(user, 0)
  const withoutPassages = await requiredBy(await send(user, withoutFiles, question))
  await setLimit(user, withoutPassages)
  const usageBefore = await inspect.usageOfUser(server.db, user.id)
  const passagesAdd = await requiredBy(await send(user, withFiles, question))
  return { withFiles, withoutPassages, passagesAdd, usageBefore }
}

describe('a turn in a conversation that reads files', () => {
  it('is refused when the budget covers it without its passages but not with them, storing nothing', async () => {
    const user = await server.user()
    const question = 'Where does a visitor park in the garage, and how does the gate open?'
    const { withFiles, passagesAdd, usageBefore } = await worstCases(user, question)

    expect(passagesAdd).toBeGreaterThan(0)
    expect(await inspect.messages(server.db, withFiles)).toEqual([])
    expect(await inspect.usageOfUser(server.db, user.id)).toEqual(usageBefore)
    expect(server.fake.requestsFor({ lastUserMessage: question })).toEqual([])
    expect(await budgetOf(user)).toMatchObject({ reservedUsd: '0' })
  })

  it('is admitted when the budget covers its passages too, and settles to what it cost', async () => {
    const user = await server.user()
    const question = 'Which level of the garage is for staff, and what opens the gate?'
    const { withFiles, withoutPassages, passagesAdd } = await worstCases(user, question)
    const limit = withoutPassages + passagesAdd
    await setLimit(user, limit)
    server.fake.enqueue(
      { kind: 'text', text: 'Staff park on level three [1].' },
      { lastUserMessage: question },
    )

    const events = await readEvents(await send(user, withFiles, question))
    expect(events.map((e) => e.event)).toContain('done')
    const [request] = server.fake.requestsFor({ lastUserMessage: question, stream: true })
    expect(JSON.stringify(request?.body)).toContain('level three')

    const budget = await eventually(async () => {
      const now = await budgetOf(user)
      return now.reservedUsd === '0' && now
    })
    const ledger = await inspect.usageOfUser(server.db, user.id)
    const spent = ledger.reduce((sum, row) => sum + row.costMicroUsd, 0)
    expect(spent).toBeGreaterThan(0)
    expect(spent).toBeLessThanOrEqual(limit)
    expect(usdToMicros(budget.spentUsd ?? '')).toBe(spent)
    expect(usdToMicros(budget.remainingUsd ?? '')).toBe(limit - spent)
  })
})
