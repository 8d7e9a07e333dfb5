import { z } from 'zod'
import { autoTiers } from '../tables/model-configs.ts'
import { cursor, isoDateTime, modelId, pageLimit, uuid } from './common.ts'
import { modelSummary } from './models.ts'

export const autoTier = z.enum(autoTiers)

/**
 * One catalog entry as an admin sees it: the fields of `GET /models` plus what only admins
 * change. `available`: its provider is configured on this server, so users are offered it.
 */
export const adminModel = modelSummary.extend({
  upstreamModel: z.string(),
  enabled: z.boolean(),
  available: z.boolean(),
  fallbacks: z.array(z.string()),
  autoTiers: z.array(autoTier),
  sortOrder: z.number().int(),
  pricesEffectiveOn: z.string(),
  updatedAt: isoDateTime,
})
export type AdminModel = z.infer<typeof adminModel>

export const adminModelList = z.object({
  items: z.array(adminModel),
  defaultModelId: z.string(),
})
export type AdminModelList = z.infer<typeof adminModelList>

export const adminModelParam = z.strictObject({ id: modelId })

const usdPerMillionTokens = z
  .number()
  .min(0, 'a price cannot be below 0')
  .max(1_000_000, 'a price is at most 1,000,000 USD per million tokens')
const tokenCount = z.number().int().min(1).max(100_000_000)

/** `PATCH /admin/models/:id`: the fields to change, named as in `GET /models`. */
export const adminModelPatch = z
  .strictObject({
    displayName: z.string().trim().min(1).max(100).optional(),
    enabled: z.boolean().optional(),
    /** Makes this the default model (the previous default stops being it in the same change). */
    isDefault: z
      .literal(true, { error: 'isDefault: make another model the default instead' })
      .optional(),
    inputUsdPerMtok: usdPerMillionTokens.optional(),
    outputUsdPerMtok: usdPerMillionTokens.optional(),
    cachedInputUsdPerMtok: usdPerMillionTokens.optional(),
    contextWindow: tokenCount.optional(),
    maxOutputTokens: tokenCount.optional(),
    /** Public ids to try, in order, when this model fails. */
    fallbacks: z
      .array(modelId.refine((id) => id !== 'auto', '"auto" cannot be a fallback'))
      .max(10)
      .refine((ids) => new Set(ids).size === ids.length, 'a model is listed twice')
      .optional(),
    autoTiers: z
      .array(autoTier)
      .refine((tiers) => new Set(tiers).size === tiers.length, 'a tier is listed twice')
      .optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one field to change')
export type AdminModelPatch = z.infer<typeof adminModelPatch>

/** One admin change: who made it, when, and the target before and after. */
export const auditEntry = z.object({
  id: uuid,
  actorId: uuid.nullable(),
  actorEmail: z.string().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  createdAt: isoDateTime,
})
export type AuditEntry = z.infer<typeof auditEntry>

export const auditPage = z.object({ items: z.array(auditEntry), nextCursor: cursor.nullable() })
export type AuditPage = z.infer<typeof auditPage>

/** `GET /admin/audit`: newest first, optionally one kind of target (`model`, `budget`, ...). */
export const auditQuery = z.strictObject({
  limit: pageLimit.default(50),
  cursor: cursor.optional(),
  targetType: z
    .string()
    .regex(/^[a-z][a-z_]{0,63}$/, 'must be a target type such as "model"')
    .optional(),
})
export type AuditQuery = z.input<typeof auditQuery>
