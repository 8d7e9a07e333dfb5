import { randomUUID } from 'node:crypto'
import { formatUsd } from '@parley/llm'
import type { UsageReport, UsageRow } from '@parley/schema/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectEnvelope } from '../testing/expect-envelope.ts'
import { eventually, readEvents, startTestServer, type TestServer } from '../testing/test-server.ts'

type User = Awaited<ReturnType<TestServer['user']>>

let server: TestServer
let user: User
let bystander: User
let admin: User
let conversations: string[]
const today = new Date().toISOString().slice(0, 10)
const from = '2026-11-01'

beforeAll(async () => {
  server = await startTestServer()
  user = await server.user()
  bystander = await server.user()
  admin = await server.user({ admin: true })

  // Real turns through the fake upstream: two first exchanges (each also names its
  // conversation, a model call of its own) and a turn that fails on every provider.
  const first = await server.newConversation(user.token)
  const second = await server.newConversation(user.token)
  conversations = [first, second]
  await turn(user, first, `usage one ${randomUUID()}`)
  await turn(user, second, `usage two ${randomUUID()}`)
  await titled(user, first)
  await titled(user, second)
  const failing = `usage fails ${randomUUID()}`
  server.fake.enqueue({ kind: 'status', status: 500, times: 10 }, { lastUserMessage: failing })
  await turn(user, first, failing)
  const other = await server.newConversation(bystander.token)
  await turn(bystander, other, `someone else ${randomUUID()}`)
  await titled(bystander, other)

  // Earlier days, written by the service as the ledger would have them.
  await seed(user.id, '2026-11-03T10:00:00Z', { model: 'gpt-seed', cost: 1_250, ttft: 420 })
  await seed(user.id, '2026-11-03T23:59:59.999Z', { model: 'gpt-seed', cost: 10, status: 'error' })
  await seed(user.id, '2026-11-20T00:00:00Z', {
    model: 'claude-seed',
    cost: 3,
    conversationId: first,
  })
  await seed(user.id, '2026-10-31T23:59:59Z', { model: 'gpt-seed', cost: 999_999 })
  await seed(bystander.id, '2026-11-03T10:00:00Z', { model: 'gpt-seed', cost: 77 })
})
afterAll(() => server?.close())

async function turn(owner: User, conversationId: string, content: string) {
  const response = await server.sendStreamed(owner.token, conversationId, { content })
  const events = await readEvents(response)
  expect(['done', 'error']).toContain(events.at(-1)?.event)
}

/** Waits for the conversation's title, whose model call is recorded with it. */
async function titled(owner: User, conversationId: string) {
  await eventually(async () => {
    const response = await server.call(owner.token, `/api/v1/conversations/${conversationId}`)
    return ((await response.json()) as { title: string | null }).title
  })
}

async function seed(
  userId: string,
  at: string,
  event: {
    model: string
    cost: number
    ttft?: number
    status?: string
    conversationId?: string
  },
) {
  await server.db.asOwner((sql) =>
    sql.query(
      `insert into public.usage_events (user_id, conversation_id, provider, model, input_tokens,
         output_tokens, cached_input_tokens, cost_micro_usd, ttft_ms, latency_ms, status, created_at)
       values ($1, $2, 'openai', $3, 100, 20, 8, $4, $5, 1500, $6, $7)`,
      [
        userId,
        event.conversationId ?? null,
        event.model,
        event.cost,
        event.ttft ?? null,
        event.status ?? 'ok',
        at,
      ],
    ),
  )
}

const keyOf = {
  day: `to_char((created_at at time zone 'UTC')::date, 'YYYY-MM-DD')`,
  model: 'model',
  conversation: 'conversation_id::text',
  user: 'user_id::text',
}

/** The same report summed straight from the ledger (usage_events). */
async function ledger(
  groupBy: keyof typeof keyOf,
  range: { from: string; to: string },
  userIds: string[],
) {
  const rows = await server.db.asOwner((sql) =>
    sql.query<Record<string, string | number | null>>(
      `select ${keyOf[groupBy]} as key, count(*) as requests, sum(input_tokens) as input,
         sum(output_tokens) as output, sum(cached_input_tokens) as cached,
         sum(cost_micro_usd) as cost, count(*) filter (where status = 'error') as errors,
         round(avg(ttft_ms)) as ttft
       from public.usage_events
       where user_id = any ($1::uuid[])
         and created_at >= $2::date at time zone 'UTC'
         and created_at < ($3::date + 1) at time zone 'UTC'
         ${groupBy === 'conversation' ? 'and conversation_id is not null' : ''}
       group by 1`,
      [userIds, range.from, range.to],
    ),
  )
  return rows
    .map((row) => ({
      key: String(row.key),
      requests: Number(row.requests),
      inputTokens: Number(row.input),
      outputTokens: Number(row.output),
      cachedTokens: Number(row.cached),
      costUsd: formatUsd(Number(row.cost)),
      errors: Number(row.errors),
      avgTtftMs: row.ttft === null ? null : Number(row.ttft),
    }))
    .sort((a, b) => a.key.localeCompare(b.key))
}

const sums = (rows: UsageRow[]) =>
  rows
    .map(
      ({ key, requests, inputTokens, outputTokens, cachedTokens, costUsd, errors, avgTtftMs }) => ({
        key,
        requests,
        inputTokens,
        outputTokens,
        cachedTokens,
        costUsd,
        errors,
        avgTtftMs,
      }),
    )
    .sort((a, b) => a.key.localeCompare(b.key))

async function report(token: string, path: string): Promise<UsageReport> {
  const response = await server.call(token, path)
  expect(response.status).toBe(200)
  return (await response.json()) as UsageReport
}

/** RFC 4180 fields, enough to read back what the API writes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      row.push(field)
      field = ''
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      i++
    } else field += ch
  }
  return rows
}

describe('GET /usage', () => {
  it('by day, model and conversation equals the ledger’s sums for the same range', async () => {
    const range = { from, to: today }
    expect(
      (
        await server.db.asOwner((sql) =>
          sql.query('select 1 from public.usage_events where user_id = $1 and status = $2', [
            user.id,
            'error',
          ]),
        )
      ).length,
    ).toBeGreaterThanOrEqual(2)
    for (const groupBy of ['day', 'model', 'conversation'] as const) {
      const body = await report(
        user.token,
        `/api/v1/usage?from=${from}&to=${today}&groupBy=${groupBy}`,
      )
      expect(body).toMatchObject({ from, to: today, groupBy })
      expect(sums(body.items)).toEqual(await ledger(groupBy, range, [user.id]))
      const groups = await ledger(groupBy, range, [user.id])
      expect(body.total).toMatchObject({
        requests: groups.reduce((sum, row) => sum + row.requests, 0),
        errors: groups.reduce((sum, row) => sum + row.errors, 0),
      })
    }
    const byDay = await report(user.token, `/api/v1/usage?from=${from}&to=${today}&groupBy=day`)
    expect(byDay.items.map((row) => row.key)).toEqual(['2026-11-03', '2026-11-20', today])
    expect(byDay.items[0]).toMatchObject({ requests: 2, errors: 1, costUsd: '0.00126' })

    const byConversation = await report(
      user.token,
      `/api/v1/usage?from=${from}&to=${today}&groupBy=conversation`,
    )
    expect(byConversation.items.map((row) => row.key).sort()).toEqual([...conversations].sort())
    expect(byConversation.items.every((row) => typeof row.label === 'string')).toBe(true)
  })

  it('reads TTFT percentiles from the histogram by model', async () => {
    const body = await report(user.token, `/api/v1/usage?from=${from}&to=2026-11-30&groupBy=model`)
    const seeded = body.items.find((row) => row.key === 'gpt-seed')
    // One call at 420 ms (the 300-500 ms bucket); the failed one had no first token.
    expect(seeded).toMatchObject({ requests: 2, avgTtftMs: 420, errors: 1 })
    expect(seeded?.ttftP50Ms).toBeGreaterThanOrEqual(300)
    expect(seeded?.ttftP95Ms).toBeLessThanOrEqual(500)
  })

  it('covers the current budget period when no range is given', async () => {
    const body = await report(user.token, '/api/v1/usage')
    const now = new Date()
    const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
    const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0))
    expect(body.from).toBe(first.toISOString().slice(0, 10))
    expect(body.to).toBe(last.toISOString().slice(0, 10))
    expect(body.groupBy).toBe('day')
    const budget = (await (await server.call(user.token, '/api/v1/usage/budget')).json()) as {
      spentUsd: string
    }
    expect(body.total.costUsd).toBe(budget.spentUsd)
  })

  it('exports the same numbers as CSV', async () => {
    for (const groupBy of ['day', 'model', 'conversation'] as const) {
      const query = `from=${from}&to=${today}&groupBy=${groupBy}`
      const response = await server.call(user.token, `/api/v1/usage?${query}&format=csv`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/^text\/csv/)
      expect(response.headers.get('content-disposition')).toContain(
        `usage-${groupBy}-${from}-${today}.csv`,
      )
      const [header, ...lines] = parseCsv(await response.text())
      expect(header).toEqual([
        'key',
        'label',
        'requests',
        'input_tokens',
        'output_tokens',
        'cached_tokens',
        'cost_usd',
        'errors',
        'avg_ttft_ms',
        'avg_latency_ms',
        'ttft_p50_ms',
        'ttft_p95_ms',
      ])
      const json = await report(user.token, `/api/v1/usage?${query}`)
      expect(lines).toEqual(
        json.items.map((row) =>
          [
            row.key,
            row.label,
            row.requests,
            row.inputTokens,
            row.outputTokens,
            row.cachedTokens,
            row.costUsd,
            row.errors,
            row.avgTtftMs,
            row.avgLatencyMs,
            row.ttftP50Ms,
            row.ttftP95Ms,
          ].map((value) => (value === null ? '' : String(value))),
        ),
      )
    }
  })

  it('refuses a bad range or grouping with a 400 envelope', async () => {
    for (const query of [
      'from=2026-11-10&to=2026-11-09',
      'from=2025-01-01&to=2026-01-02',
      'from=2026-11-31&to=2026-12-01',
      'from=yesterday',
      'groupBy=user',
      'groupBy=week',
      'format=xml',
      'userId=someone',
    ]) {
      const response = await server.call(user.token, `/api/v1/usage?${query}`)
      await expectEnvelope(response, 400, 'validation_error')
    }
    // 366 days, both ends included, is the longest range allowed.
    const longest = await server.call(user.token, '/api/v1/usage?from=2025-12-05&to=2026-12-05')
    expect(longest.status).toBe(200)
  })
})

describe('GET /admin/usage', () => {
  it('is for admins only', async () => {
    await expectEnvelope(await server.call(user.token, '/api/v1/admin/usage'), 403, 'forbidden')
    await expectEnvelope(
      await server.call(user.token, '/api/v1/admin/usage?format=csv'),
      403,
      'forbidden',
    )
  })

  it('sums everyone’s ledger, by user, day and model, as JSON and CSV', async () => {
    const range = { from, to: today }
    const people = [user.id, bystander.id]
    const byUser = await report(
      admin.token,
      `/api/v1/admin/usage?from=${from}&to=${today}&groupBy=user`,
    )
    expect(sums(byUser.items.filter((row) => people.includes(row.key)))).toEqual(
      await ledger('user', range, people),
    )
    const everyone = (
      await server.db.asOwner((sql) => sql.query<{ id: string }>('select id from auth.users'))
    ).map((row) => row.id)
    for (const groupBy of ['day', 'model'] as const) {
      const body = await report(
        admin.token,
        `/api/v1/admin/usage?from=${from}&to=${today}&groupBy=${groupBy}`,
      )
      expect(sums(body.items)).toEqual(await ledger(groupBy, range, everyone))
      const csv = await server.call(
        admin.token,
        `/api/v1/admin/usage?from=${from}&to=${today}&groupBy=${groupBy}&format=csv`,
      )
      const [, ...lines] = parseCsv(await csv.text())
      expect(lines.map((line) => [line[0], line[2], line[6], line[7]])).toEqual(
        body.items.map((row) => [row.key, String(row.requests), row.costUsd, String(row.errors)]),
      )
    }
    await expectEnvelope(
      await server.call(admin.token, '/api/v1/admin/usage?groupBy=conversation'),
      400,
      'validation_error',
    )
  })
})
