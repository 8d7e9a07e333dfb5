import type { ModelConfigUpsert } from '@parley/schema/contracts'
import { modelConfigs } from '@parley/schema/tables'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../client.ts'
import { createTestDatabase, createTestUser } from '../testing/index.ts'
import {
  listEnabledModelConfigs,
  listModelConfigs,
  seedModelConfigs,
  setDefaultModel,
  upsertModelConfig,
} from './model-configs.ts'

let db: Database
beforeAll(async () => {
  db = await createTestDatabase()
})
afterAll(() => db?.close())

const spec = (id: string, overrides: Partial<ModelConfigUpsert> = {}): ModelConfigUpsert => ({
  id,
  provider: 'openai',
  upstreamModel: id,
  displayName: id.toUpperCase(),
  contextWindow: 128_000,
  maxOutputTokens: 16_000,
  inputUsdPerMtok: 2.5,
  outputUsdPerMtok: 10,
  cachedInputUsdPerMtok: 1.25,
  pricesEffectiveOn: '2026-06-01',
  capabilities: { streaming: true },
  ...overrides,
})

describe('seeding the catalog', () => {
  it('inserts new models and makes the requested one the default', async () => {
    const result = await db.asService((tx) =>
      seedModelConfigs(tx, [spec('alpha'), spec('beta')], { defaultModelId: 'beta' }),
    )
    expect(result).toEqual({ inserted: ['alpha', 'beta'], updated: [] })
    const user = await createTestUser(db)
    const rows = await db.withUser(user.claims, listEnabledModelConfigs)
    expect(rows.map((r) => [r.id, r.isDefault])).toEqual([
      ['alpha', false],
      ['beta', true],
    ])
  })

  it('takes newer catalog prices but keeps an admin’s later edit and their switches', async () => {
    const admin = await createTestUser(db, { admin: true })
    await db.withUser(admin.claims, async (tx) => {
      await upsertModelConfig(
        tx,
        spec('alpha', { inputUsdPerMtok: 9, pricesEffectiveOn: '2026-09-01' }),
      )
      await tx.update(modelConfigs).set({ enabled: false }).where(eq(modelConfigs.id, 'alpha'))
    })

    const result = await db.asService((tx) =>
      seedModelConfigs(tx, [
        spec('alpha', { inputUsdPerMtok: 3 }), // older than the admin's edit
        spec('beta', { inputUsdPerMtok: 2, pricesEffectiveOn: '2026-10-01' }),
      ]),
    )
    expect(result).toEqual({ inserted: [], updated: ['beta'] })
    const rows = await db.asService(listModelConfigs)
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]))
    expect(byId.alpha).toMatchObject({ inputUsdPerMtok: 9, enabled: false })
    expect(byId.beta).toMatchObject({ inputUsdPerMtok: 2, isDefault: true })
  })

  it('seeds fallbacks and auto tiers only where an admin has not set them', async () => {
    const seed = () =>
      db.asService((tx) =>
        seedModelConfigs(tx, [
          spec('epsilon', { fallbacks: ['alpha'], autoTiers: ['small'] }),
          spec('zeta', { fallbacks: ['alpha'], autoTiers: ['strong'] }),
        ]),
      )
    await seed()
    const admin = await createTestUser(db, { admin: true })
    await db.withUser(admin.claims, (tx) =>
      tx
        .update(modelConfigs)
        .set({ fallbacks: [], autoTiers: [] })
        .where(eq(modelConfigs.id, 'epsilon')),
    )
    await seed()
    const byId = Object.fromEntries((await db.asService(listModelConfigs)).map((r) => [r.id, r]))
    expect(byId.epsilon).toMatchObject({ fallbacks: [], autoTiers: [] })
    expect(byId.zeta).toMatchObject({ fallbacks: ['alpha'], autoTiers: ['strong'] })
  })

  it('rejects an entry without prices before writing anything', async () => {
    const incomplete = { ...spec('gamma') } as Partial<ModelConfigUpsert>
    delete incomplete.outputUsdPerMtok
    await expect(
      db.asService((tx) => seedModelConfigs(tx, [spec('delta'), incomplete as ModelConfigUpsert])),
    ).rejects.toMatchObject({ code: 'invalid_input' })
    const ids = (await db.asService(listModelConfigs)).map((r) => r.id)
    expect(ids).not.toContain('delta')
  })

  it('keeps exactly one default', async () => {
    await db.asService((tx) => setDefaultModel(tx, 'alpha'))
    const defaults = (await db.asService(listModelConfigs)).filter((r) => r.isDefault)
    expect(defaults.map((r) => r.id)).toEqual(['alpha'])
  })
})
