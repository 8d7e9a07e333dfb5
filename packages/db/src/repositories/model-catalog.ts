import { type AutoTier, modelConfigs } from '@parley/schema/tables'
import { and, asc, eq, ne } from 'drizzle-orm'
import type { Database, Tx } from '../client.ts'
import type { ModelConfigRow } from './model-configs.ts'

/** The columns of a catalog entry an admin edits. */
export interface ModelConfigChange {
  displayName?: string
  enabled?: boolean
  isDefault?: true
  inputUsdPerMtok?: number
  outputUsdPerMtok?: number
  cachedInputUsdPerMtok?: number
  contextWindow?: number
  maxOutputTokens?: number
  fallbacks?: string[]
  autoTiers?: AutoTier[]
}

export interface ModelConfigUpdate {
  before: ModelConfigRow
  after: ModelConfigRow
  /** The entry that was the default until this change made `after` the default. */
  previousDefault: { before: ModelConfigRow; after: ModelConfigRow } | null
}

/**
 * The whole catalog, locked for the rest of the transaction: a change is checked against every
 * other entry (the last enabled model, the default), and two admins' changes then cannot both
 * pass a check the other would fail.
 */
export async function lockModelCatalog(tx: Tx): Promise<ModelConfigRow[]> {
  return tx
    .select()
    .from(modelConfigs)
    .orderBy(asc(modelConfigs.sortOrder), asc(modelConfigs.id))
    .for('update')
}

/**
 * Applies an admin's change to one entry (RLS lets only admins write). Making it the default
 * clears the previous default in the same transaction, so there is never none and never two.
 */
export async function updateModelConfig(
  tx: Tx,
  before: ModelConfigRow,
  change: ModelConfigChange,
): Promise<ModelConfigUpdate> {
  const { isDefault, ...columns } = change
  let previousDefault: ModelConfigUpdate['previousDefault'] = null
  if (isDefault && !before.isDefault) {
    const [old] = await tx
      .select()
      .from(modelConfigs)
      .where(and(eq(modelConfigs.isDefault, true), ne(modelConfigs.id, before.id)))
      .for('update')
    if (old) {
      // Two statements: the unique index on the default is checked row by row.
      const [cleared] = await tx
        .update(modelConfigs)
        .set({ isDefault: false })
        .where(eq(modelConfigs.id, old.id))
        .returning()
      if (cleared) previousDefault = { before: old, after: cleared }
    }
  }
  const [after] = await tx
    .update(modelConfigs)
    .set({ ...columns, ...(isDefault ? { isDefault: true } : {}) })
    .where(eq(modelConfigs.id, before.id))
    .returning()
  if (!after) throw new Error('update returned no row')
  return { before, after, previousDefault }
}

/**
 * The catalog's version, bumped in the transaction of every write to `model_configs`: an API
 * instance rebuilds its model list when it changes. One cheap statement outside any transaction.
 */
export async function readModelCatalogVersion(db: Database): Promise<number> {
  const [row] = await db.ownerStatement<{ version: string | number }>(
    'select version from parley_internal.model_catalog_version where singleton',
    [],
  )
  return Number(row?.version ?? 0)
}
