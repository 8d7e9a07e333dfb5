import { type ModelConfigUpsert, modelConfigUpsert } from '@parley/schema/contracts'
import { modelConfigs } from '@parley/schema/tables'
import { and, asc, eq, ne, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Tx } from '../client.ts'
import { parseInput } from '../errors.ts'

export type ModelConfigRow = typeof modelConfigs.$inferSelect

const order = [asc(modelConfigs.sortOrder), asc(modelConfigs.id)]

export async function listEnabledModelConfigs(tx: Tx): Promise<ModelConfigRow[]> {
  return tx
    .select()
    .from(modelConfigs)
    .where(eq(modelConfigs.enabled, true))
    .orderBy(...order)
}

export async function listModelConfigs(tx: Tx): Promise<ModelConfigRow[]> {
  return tx
    .select()
    .from(modelConfigs)
    .orderBy(...order)
}

/** Creates or replaces one catalog entry. Row-level security lets only admins write. */
export async function upsertModelConfig(tx: Tx, input: ModelConfigUpsert): Promise<ModelConfigRow> {
  const values = parseInput(modelConfigUpsert, input)
  const { id: _id, ...update } = values
  const [row] = await tx
    .insert(modelConfigs)
    .values(values)
    .onConflictDoUpdate({ target: modelConfigs.id, set: update })
    .returning()
  if (!row) throw new Error('upsert returned no row')
  return row
}

const textArray = (values: readonly string[]) =>
  sql`array[${sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  )}]::text[]`

export interface SeedResult {
  inserted: string[]
  updated: string[]
}

/**
 * Seeds the catalog. New models are inserted; an existing row takes the catalog's provider,
 * limits and prices only when the catalog's prices are at least as recent as the row's, so an
 * admin's later price edit survives restarts. `enabled`, `is_default`, `sort_order`, `fallbacks`
 * and `auto_tiers` of existing rows are the admin's and never touched (the last two are filled
 * while unset). A default is set only when there is none.
 */
export async function seedModelConfigs(
  tx: Tx,
  catalog: readonly ModelConfigUpsert[],
  { defaultModelId }: { defaultModelId?: string } = {},
): Promise<SeedResult> {
  const entries = parseInput(z.array(modelConfigUpsert), catalog)
  const result: SeedResult = { inserted: [], updated: [] }
  for (const [index, entry] of entries.entries()) {
    const {
      id,
      enabled: _enabled,
      isDefault: _isDefault,
      sortOrder: _sortOrder,
      fallbacks,
      autoTiers,
      ...catalogOwned
    } = entry
    const [row] = await tx
      .insert(modelConfigs)
      .values({ ...entry, isDefault: false, sortOrder: entry.sortOrder ?? index })
      .onConflictDoUpdate({
        target: modelConfigs.id,
        set: catalogOwned,
        setWhere: sql`${modelConfigs.pricesEffectiveOn} <= excluded.prices_effective_on`,
      })
      .returning({ id: modelConfigs.id, inserted: sql<boolean>`(xmax = 0)` })
    if (row?.inserted) result.inserted.push(id)
    else if (row) result.updated.push(id)
    // Chains and tiers are the admin's once seeded: configuration fills only what is unset.
    await tx
      .update(modelConfigs)
      .set({
        fallbacks: sql`coalesce(${modelConfigs.fallbacks}, ${textArray(fallbacks ?? [])})`,
        autoTiers: sql`coalesce(${modelConfigs.autoTiers}, ${textArray(autoTiers ?? [])})`,
      })
      .where(
        and(
          eq(modelConfigs.id, id),
          sql`(${modelConfigs.fallbacks} is null or ${modelConfigs.autoTiers} is null)`,
        ),
      )
  }

  const [current] = await tx
    .select({ id: modelConfigs.id })
    .from(modelConfigs)
    .where(eq(modelConfigs.isDefault, true))
  const wanted = defaultModelId ?? entries[0]?.id
  if (!current && wanted) {
    await tx.update(modelConfigs).set({ isDefault: true }).where(eq(modelConfigs.id, wanted))
  }
  return result
}

/** Makes `id` the single default model. */
export async function setDefaultModel(tx: Tx, id: string): Promise<void> {
  // Two statements: the unique index on the default is checked row by row.
  await tx
    .update(modelConfigs)
    .set({ isDefault: false })
    .where(and(eq(modelConfigs.isDefault, true), ne(modelConfigs.id, id)))
  await tx.update(modelConfigs).set({ isDefault: true }).where(eq(modelConfigs.id, id))
}
