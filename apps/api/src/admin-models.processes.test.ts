import { randomUUID } from 'node:crypto'
import { type Database, upsertModelConfig } from '@parley/db'
import { testDatabaseUrl } from '@parley/db/testing'
import { type FakeUpstream, startFakeUpstream } from '@parley/llm/testing'
import type { ModelList } from '@parley/schema/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newSigningKeyJson } from './auth-local/signing-key.ts'
import { type ApiProcess, startApiProcess } from './testing/api-process.ts'
import { eventually } from './testing/test-server.ts'

const bootstrapToken = 'the-models-processes-test-admin-token'

/** Signs up on `api`, claims the admin role and returns a token that carries it. */
async function signUpAdmin(api: ApiProcess): Promise<string> {
  const signUp = await fetch(`${api.url}/auth/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `admin-${randomUUID()}@example.test`,
      password: 'correct horse',
    }),
  })
  const session = (await signUp.json()) as { access_token: string; refresh_token: string }
  const claim = await fetch(`${api.url}/api/v1/admin/claim`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${session.access_token}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ token: bootstrapToken }),
  })
  expect(claim.status).toBe(200)
  const refreshed = await fetch(`${api.url}/auth/v1/token?grant_type=refresh_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: session.refresh_token }),
  })
  return ((await refreshed.json()) as { access_token: string }).access_token
}

async function offered(api: ApiProcess, token: string, id: string) {
  const response = await fetch(`${api.url}/api/v1/models`, {
    headers: { authorization: `Bearer ${token}` },
  })
  return ((await response.json()) as ModelList).items.find((model) => model.id === id)
}

/**
 * Two API processes on one Postgres, as two instances behind a load balancer: an admin's
 * catalog change on one is served by the other without a restart.
 */
describe.skipIf(!testDatabaseUrl)('the model catalog across two API processes', () => {
  let fake: FakeUpstream
  let db: Database
  const apis: ApiProcess[] = []
  beforeAll(async () => {
    fake = await startFakeUpstream()
    const env = {
      PARLEY_AUTH_SIGNING_KEYS: await newSigningKeyJson(),
      PARLEY_BOOTSTRAP_ADMIN_TOKEN: bootstrapToken,
      OPENAI_API_KEY: 'test-openai-key',
      OPENAI_BASE_URL: fake.openaiBaseUrl,
    }
    for (let i = 0; i < 2; i++)
      apis.push(await startApiProcess({ env, databaseUrl: testDatabaseUrl }))
    const [first] = apis
    if (!first) throw new Error('a process')
    db = await first.openDatabase()
  })
  afterAll(async () => {
    for (const api of apis) await api.cleanUp()
    await db?.close()
    await fake?.close()
  })

  it('serves a price an admin changed on the other process, without a restart', async () => {
    const [a, b] = apis
    if (!a || !b) throw new Error('two processes')
    const id = `shared-${randomUUID().slice(0, 8)}`
    await db.asService((tx) =>
      upsertModelConfig(tx, {
        id,
        provider: 'openai',
        upstreamModel: id,
        displayName: 'Shared',
        contextWindow: 100_000,
        maxOutputTokens: 4_000,
        inputUsdPerMtok: 1,
        outputUsdPerMtok: 2,
        cachedInputUsdPerMtok: 0.5,
        pricesEffectiveOn: '2026-12-01',
        fallbacks: [],
        autoTiers: [],
      }),
    )
    const admin = await signUpAdmin(a)
    const user = await b.signUp()
    await eventually(async () => (await offered(b, user, id)) !== undefined)

    const changed = await fetch(`${a.url}/api/v1/admin/models/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ inputUsdPerMtok: 3.5 }),
    })
    expect(changed.status).toBe(200)
    const seen = await eventually(async () => {
      const model = await offered(b, user, id)
      return model?.inputUsdPerMtok === 3.5 ? model : undefined
    })
    expect(seen).toMatchObject({ id, inputUsdPerMtok: 3.5, displayName: 'Shared' })
  })
})
