import { randomUUID } from 'node:crypto'
import { upsertModelConfig } from '@parley/db'
import type {
  AdminModel,
  AdminModelList,
  AuditPage,
  ModelList,
  UsageReport,
} from '@parley/schema/contracts'
import { adminAudit } from '@parley/schema/tables'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectEnvelope } from '../testing/expect-envelope.ts'
import {
  chatModel,
  eventually,
  readEvents,
  startTestServer,
  type TestServer,
} from '../testing/test-server.ts'

type User = Awaited<ReturnType<TestServer['user']>>

let server: TestServer
let admin: User
let user: User

beforeAll(async () => {
  server = await startTestServer()
  admin = await server.user({ admin: true })
  user = await server.user()
})
afterAll(() => server?.close())

/** A catalog entry of its own for one test (the fake upstream answers any model). */
async function ownModel(
  id = `own-${randomUUID().slice(0, 8)}`,
  name = `Own ${id}`,
  { refresh = true } = {},
) {
  await server.db.asService((tx) =>
    upsertModelConfig(tx, {
      id,
      provider: 'openai',
      upstreamModel: id,
      displayName: name,
      contextWindow: 100_000,
      maxOutputTokens: 4_000,
      inputUsdPerMtok: 1,
      outputUsdPerMtok: 2,
      cachedInputUsdPerMtok: 0.5,
      pricesEffectiveOn: '2026-12-01',
      sortOrder: 500,
      fallbacks: [],
      autoTiers: [],
    }),
  )
  if (refresh) await server.deps.catalog.refresh()
  return id
}

const patch = (id: string, json: unknown, token = admin.token) =>
  server.call(token, `/api/v1/admin/models/${id}`, { method: 'PATCH', json })

async function auditOf(targetId: string) {
  const response = await server.call(admin.token, '/api/v1/admin/audit?targetType=model')
  expect(response.status).toBe(200)
  return ((await response.json()) as AuditPage).items.filter((e) => e.targetId === targetId)
}

describe('admin models', () => {
  it('charges the next turn the price an admin just set, and shows it to everyone', async () => {
    const id = await ownModel()
    const changed = await patch(id, { inputUsdPerMtok: 7, displayName: 'Priced' })
    expect(changed.status).toBe(200)
    expect(await changed.json()).toMatchObject({ id, inputUsdPerMtok: 7, displayName: 'Priced' })

    const list = (await (await server.call(user.token, '/api/v1/models')).json()) as ModelList
    expect(list.items.find((model) => model.id === id)).toMatchObject({
      inputUsdPerMtok: 7,
      displayName: 'Priced',
    })

    const content = `priced turn ${randomUUID()}`
    server.fake.enqueue(
      { kind: 'text', text: 'ok', usage: { inputTokens: 1_000_000, outputTokens: 0 } },
      { lastUserMessage: content },
    )
    const conversationId = await server.newConversation(user.token)
    const events = await readEvents(
      await server.sendStreamed(user.token, conversationId, { content, model: id }),
    )
    const done = events.at(-1)
    if (done?.event !== 'done') throw new Error('the turn ends with a done event')
    expect((done.data as { usage: { costUsd: number } }).usage.costUsd).toBe(7)
    const usage = await server.call(user.token, '/api/v1/usage?groupBy=model')
    const rows = ((await usage.json()) as UsageReport).items
    expect(rows.find((row) => row.key === id)?.costUsd).toBe('7')

    const [entry] = await auditOf(id)
    expect(entry).toMatchObject({
      actorId: admin.id,
      actorEmail: admin.email,
      action: 'model.update',
      before: { inputUsdPerMtok: 1, displayName: `Own ${id}` },
      after: { inputUsdPerMtok: 7, displayName: 'Priced' },
    })
  })

  it('moves the default in one change and records both models', async () => {
    const id = await ownModel()
    const response = await patch(id, { isDefault: true })
    expect(response.status).toBe(200)
    const list = (await (
      await server.call(admin.token, '/api/v1/admin/models')
    ).json()) as AdminModelList
    expect(list.defaultModelId).toBe(id)
    expect(list.items.filter((model) => model.isDefault).map((model) => model.id)).toEqual([id])
    expect((await auditOf(chatModel))[0]).toMatchObject({
      before: { isDefault: true },
      after: { isDefault: false },
    })
    expect((await patch(chatModel, { isDefault: true })).status).toBe(200)
  })

  it('stores fallbacks and auto tiers, and refuses fallbacks to unknown models', async () => {
    const id = await ownModel()
    const saved = await patch(id, { fallbacks: [chatModel], autoTiers: ['small'] })
    expect(await saved.json()).toMatchObject({ fallbacks: [chatModel], autoTiers: ['small'] })
    await expectEnvelope(await patch(id, { fallbacks: ['no-such-model'] }), 400, 'validation_error')
    await expectEnvelope(await patch(id, { fallbacks: [id] }), 400, 'validation_error')
  })

  it('falls back along the chain an admin set when the model fails', async () => {
    const id = await ownModel()
    expect((await patch(id, { fallbacks: [chatModel] })).status).toBe(200)
    const content = `falls back ${randomUUID()}`
    server.fake.enqueue(
      { kind: 'status', status: 500, times: 'always' },
      { lastUserMessage: content, model: id },
    )
    server.fake.enqueue({ kind: 'text', text: 'from the fallback' }, { lastUserMessage: content })
    const conversationId = await server.newConversation(user.token)
    const events = await readEvents(
      await server.sendStreamed(user.token, conversationId, { content, model: id }),
    )
    const done = events.at(-1)
    if (done?.event !== 'done') throw new Error('the turn ends with a done event')
    expect(done.data).toMatchObject({ assistantMessage: { model: chatModel } })
  })

  it('answers bad changes with an envelope and changes nothing', async () => {
    const id = await ownModel()
    await expectEnvelope(await patch('no-such-model', { enabled: false }), 404, 'not_found')
    await expectEnvelope(await patch(id, { inputUsdPerMtok: -1 }), 400, 'validation_error')
    await expectEnvelope(await patch(id, { maxOutputTokens: 200_000 }), 400, 'validation_error')
    await expectEnvelope(await patch(id, {}), 400, 'validation_error')
    const refused = await expectEnvelope(
      await patch(chatModel, { enabled: false }),
      409,
      'conflict',
    )
    expect(refused.error.message).toMatch(/default model/)
    const list = (await (
      await server.call(admin.token, '/api/v1/admin/models')
    ).json()) as AdminModelList
    expect(list.items.find((model) => model.id === id)).toMatchObject({ inputUsdPerMtok: 1 })
    expect(list.items.find((model) => model.id === chatModel)).toMatchObject({ enabled: true })
    expect(await auditOf(id)).toEqual([])
  })

  it('hides a disabled model from users and serves it again once enabled', async () => {
    const id = await ownModel()
    expect((await patch(id, { enabled: false })).status).toBe(200)
    const offered = async () =>
      ((await (await server.call(user.token, '/api/v1/models')).json()) as ModelList).items.map(
        (model) => model.id,
      )
    expect(await offered()).not.toContain(id)
    const admins = (await (
      await server.call(admin.token, '/api/v1/admin/models')
    ).json()) as AdminModelList
    expect(admins.items.find((model) => model.id === id)).toMatchObject({ enabled: false })
    expect((await patch(id, { enabled: true })).status).toBe(200)
    expect(await offered()).toContain(id)
  })

  it('shows the change in the activity log, with which fields it touched', async () => {
    const id = await ownModel()
    expect((await patch(id, { displayName: 'Renamed', inputUsdPerMtok: 1.5 })).status).toBe(200)
    await server.deps.activity.flush()
    const response = await server.call(
      admin.token,
      `/api/v1/admin/activity?type=model_changed&userId=${admin.id}`,
    )
    const { items } = (await response.json()) as {
      items: { targetId: string | null; metadata: Record<string, unknown> }[]
    }
    expect(items.find((entry) => entry.targetId === id)?.metadata).toEqual({
      fields: 'displayName,inputUsdPerMtok',
    })
  })

  it('picks up a change another instance committed', async () => {
    const id = await ownModel()
    // The same write another instance would make: only the catalog version tells this one.
    await ownModel(id, 'Renamed elsewhere')
    const list = (await (await server.call(user.token, '/api/v1/models')).json()) as ModelList
    expect(list.items.find((model) => model.id === id)?.displayName).toBe('Renamed elsewhere')
  })
})

describe('an instance left alone', () => {
  it('notices a catalog change another instance committed, unasked', async () => {
    const id = await ownModel()
    server.deps.catalog.start()
    try {
      await ownModel(id, 'Renamed quietly', { refresh: false })
      await eventually(async () => {
        const list = (await (await server.call(user.token, '/api/v1/models')).json()) as ModelList
        return list.items.find((model) => model.id === id)?.displayName === 'Renamed quietly'
      })
    } finally {
      server.deps.catalog.stop()
    }
  })
})

describe('the admin audit', () => {
  it('records an admin’s budget change with its before and after', async () => {
    const target = await server.user()
    const set = (limitUsd: string) =>
      server.call(admin.token, `/api/v1/admin/budgets/${target.id}`, {
        method: 'PUT',
        json: { limitUsd, period: 'monthly' },
      })
    expect((await set('5')).status).toBe(200)
    expect((await set('8')).status).toBe(200)
    const response = await server.call(admin.token, '/api/v1/admin/audit?targetType=budget')
    const entries = ((await response.json()) as AuditPage).items.filter(
      (entry) => entry.targetId === target.id,
    )
    // Two changes may share a millisecond: compare them as a set, not by their order.
    expect(entries.map((entry) => [entry.before, entry.after])).toHaveLength(2)
    expect(entries.map((entry) => [entry.before, entry.after])).toEqual(
      expect.arrayContaining([
        [null, { limitUsd: '5', period: 'monthly' }],
        [
          { limitUsd: '5', period: 'monthly' },
          { limitUsd: '8', period: 'monthly' },
        ],
      ]),
    )
  })

  it('pages newest first', async () => {
    const id = await ownModel()
    for (const name of ['One', 'Two', 'Three']) await patch(id, { displayName: name })
    const first = (await (
      await server.call(admin.token, '/api/v1/admin/audit?targetType=model&limit=1')
    ).json()) as AuditPage
    expect(first.items).toHaveLength(1)
    expect(first.nextCursor).toBeTruthy()
    const next = await server.call(
      admin.token,
      `/api/v1/admin/audit?targetType=model&limit=1&cursor=${first.nextCursor}`,
    )
    expect(next.status).toBe(200)
    expect(((await next.json()) as AuditPage).items[0]?.id).not.toBe(first.items[0]?.id)
  })
})

describe('users who are not admins', () => {
  it('get 403 from every admin model and audit route', async () => {
    const id = await ownModel()
    await expectEnvelope(await server.call(user.token, '/api/v1/admin/models'), 403, 'forbidden')
    await expectEnvelope(await patch(id, { enabled: false }, user.token), 403, 'forbidden')
    await expectEnvelope(await server.call(user.token, '/api/v1/admin/audit'), 403, 'forbidden')
  })

  it('read no audit entry directly through the database either', async () => {
    const id = await ownModel()
    expect((await patch(id, { displayName: 'Seen by admins' })).status).toBe(200)
    const rows = await server.db.withUser(user.claims, (tx) => tx.select().from(adminAudit))
    expect(rows).toEqual([])
    const model = (await (await patch(id, { enabled: true })).json()) as AdminModel
    expect(model.displayName).toBe('Seen by admins')
  })
})
