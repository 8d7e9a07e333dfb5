import {
  type AdminAuditRow,
  listAdminAudit,
  lockModelCatalog,
  type ModelConfigRow,
  recordAdminChange,
  type Tx,
  updateModelConfig,
} from '@parley/db'
import { CatalogError, specFromRow } from '@parley/llm'
import {
  type AdminModelPatch,
  type AuditEntry,
  adminModel,
  adminModelList,
  adminModelParam,
  adminModelPatch,
  auditPage,
  auditQuery,
} from '@parley/schema/contracts'
import { Hono } from 'hono'
import type { AppEnv } from '../env.ts'
import { AppError, notFound } from '../errors.ts'
import { requireAdmin } from '../middleware/require-admin.ts'
import { validate } from '../middleware/validate.ts'
import { recordActivity } from '../observability/activity-log.ts'
import type { ModelDirectory } from '../services/model-directory.ts'
import { docs } from './docs.ts'

/** `/admin/models`: the catalog as admins edit it; changes reach every instance within a second. */
export const adminModels = new Hono<AppEnv>()
  .use(requireAdmin)
  .get(
    '/',
    docs('admin', 'Every catalog entry, enabled or not, with fallbacks and auto tiers (admins)', {
      200: { description: 'OK', schema: adminModelList },
    }),
    async (c) => {
      await c.var.deps.catalog.refresh()
      const { models } = c.var.deps
      return c.json({ items: models.adminList(), defaultModelId: models.defaultModelId })
    },
  )
  .patch(
    '/:id',
    docs('admin', 'Change a model: switch, name, prices, limits, default, fallbacks (admins)', {
      200: { description: 'The model as changed', schema: adminModel },
    }),
    validate('param', adminModelParam),
    validate('json', adminModelPatch),
    async (c) => {
      const { deps, claims } = c.var
      const { id } = c.req.valid('param')
      const patch = c.req.valid('json')
      await deps.db.withUser(claims, (tx) => changeModel(tx, deps.models, id, patch))
      await deps.catalog.refresh()
      recordActivity(c, 'model_changed', {
        targetId: id,
        meta: { fields: Object.keys(patch).sort().join(',') },
      })
      const changed = deps.models.adminList().find((model) => model.id === id)
      if (!changed) throw notFound('model')
      return c.json(changed)
    },
  )

/** `/admin/audit`: every admin change, newest first. */
export const adminAuditLog = new Hono<AppEnv>().use(requireAdmin).get(
  '/',
  docs('admin', 'Admin changes, newest first, optionally of one target type (admins)', {
    200: { description: 'OK', schema: auditPage },
  }),
  validate('query', auditQuery),
  async (c) => {
    const page = await c.var.deps.db.withUser(c.var.claims, (tx) =>
      listAdminAudit(tx, c.req.valid('query')),
    )
    return c.json({ items: page.items.map(toAuditEntry), nextCursor: page.nextCursor })
  },
)

const toAuditEntry = (row: AdminAuditRow): AuditEntry => ({
  id: row.id,
  actorId: row.actorId,
  actorEmail: row.actorEmail,
  action: row.action,
  targetType: row.targetType,
  targetId: row.targetId,
  before: row.before ?? null,
  after: row.after ?? null,
  createdAt: row.createdAt.toISOString(),
})

/** Checks the change against the whole (locked) catalog, applies it and records it. */
async function changeModel(
  tx: Tx,
  directory: ModelDirectory,
  id: string,
  patch: AdminModelPatch,
): Promise<void> {
  const rows = await lockModelCatalog(tx)
  const before = rows.find((row) => row.id === id)
  if (!before) throw notFound('model')
  const merged: ModelConfigRow = { ...before, ...patch }
  checkLimitsAndPrices(merged)
  checkSwitches(merged, rows, directory)
  checkFallbacks(merged, rows)
  const update = await updateModelConfig(tx, before, patch)
  await recordModelChange(tx, update.before, update.after)
  if (update.previousDefault) {
    await recordModelChange(tx, update.previousDefault.before, update.previousDefault.after)
  }
}

function checkLimitsAndPrices(merged: ModelConfigRow): void {
  try {
    specFromRow(merged)
  } catch (error) {
    if (!(error instanceof CatalogError)) throw error
    // "invalid model spec x: field: reason; ..." -> "field: reason; ..."
    throw new AppError('validation_error', error.message.replace(/^invalid model spec [^:]*: /, ''))
  }
}

/** The default stays an enabled model this server serves, and some such model stays enabled. */
function checkSwitches(
  merged: ModelConfigRow,
  rows: readonly ModelConfigRow[],
  directory: ModelDirectory,
): void {
  const isDefault = merged.id === directory.defaultModelId || merged.isDefault
  if (isDefault && !merged.enabled) {
    throw new AppError(
      'conflict',
      `${merged.displayName} is the default model: make another model the default before disabling it`,
    )
  }
  if (merged.isDefault && !directory.servable(merged.provider)) {
    throw new AppError(
      'conflict',
      `${merged.displayName} cannot be the default: its provider (${merged.provider}) is not configured on this server`,
    )
  }
  const servedAfter = rows
    .map((row) => (row.id === merged.id ? merged : row))
    .filter((row) => row.enabled && directory.servable(row.provider))
  if (servedAfter.length === 0) {
    throw new AppError(
      'conflict',
      `${merged.displayName} is the last enabled model this server can use: enable another one first`,
    )
  }
}

function checkFallbacks(merged: ModelConfigRow, rows: readonly ModelConfigRow[]): void {
  const known = new Set(rows.map((row) => row.id))
  const fallbacks = merged.fallbacks ?? []
  if (fallbacks.includes(merged.id)) {
    throw new AppError('validation_error', 'fallbacks: a model cannot fall back to itself')
  }
  const unknown = fallbacks.filter((id) => !known.has(id))
  if (unknown.length > 0) {
    throw new AppError(
      'validation_error',
      `fallbacks: no model "${unknown.join('", "')}" in the catalog`,
    )
  }
}

const audited = [
  'displayName',
  'enabled',
  'isDefault',
  'inputUsdPerMtok',
  'outputUsdPerMtok',
  'cachedInputUsdPerMtok',
  'contextWindow',
  'maxOutputTokens',
  'fallbacks',
  'autoTiers',
] as const satisfies readonly (keyof ModelConfigRow)[]

/** One audit entry holding only the fields that changed, before and after. */
async function recordModelChange(
  tx: Tx,
  before: ModelConfigRow,
  after: ModelConfigRow,
): Promise<void> {
  const changed = audited.filter(
    (field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]),
  )
  if (changed.length === 0) return
  const pick = (row: ModelConfigRow) =>
    Object.fromEntries(changed.map((field) => [field, row[field] ?? null]))
  await recordAdminChange(tx, {
    action: 'model.update',
    targetType: 'model',
    targetId: after.id,
    before: pick(before),
    after: pick(after),
  })
}
