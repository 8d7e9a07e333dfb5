import { createInsertSchema, createSelectSchema } from 'drizzle-zod'
import { z } from 'zod'
import { autoTiers, modelConfigs } from '../tables/model-configs.ts'
import { isoDateTime, modelId } from './common.ts'

const usdPerMillionTokens = z.number().min(0).max(1_000_000)
const capabilities = z.record(z.string(), z.boolean())

export const modelConfig = createSelectSchema(modelConfigs, {
  capabilities,
  fallbacks: z.array(z.string()).nullable(),
  autoTiers: z.array(z.enum(autoTiers)).nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
})
export type ModelConfig = z.infer<typeof modelConfig>

/** A catalog entry as an admin or the seeder writes it. */
export const modelConfigUpsert = createInsertSchema(modelConfigs, {
  id: modelId.refine((id) => id !== 'auto', '"auto" is reserved for routing'),
  provider: z.string().min(1).max(64),
  upstreamModel: z.string().min(1).max(200),
  displayName: z.string().min(1).max(100),
  contextWindow: z.number().int().min(1).max(100_000_000),
  maxOutputTokens: z.number().int().min(1).max(100_000_000),
  inputUsdPerMtok: usdPerMillionTokens,
  outputUsdPerMtok: usdPerMillionTokens,
  cachedInputUsdPerMtok: usdPerMillionTokens,
  pricesEffectiveOn: z.iso.date(),
  capabilities: capabilities.optional(),
  fallbacks: z.array(modelId).max(10).nullable().optional(),
  autoTiers: z.array(z.enum(autoTiers)).nullable().optional(),
})
  .omit({ createdAt: true, updatedAt: true })
  .strict()
  .refine((m) => m.maxOutputTokens <= m.contextWindow, {
    message: 'maxOutputTokens must not exceed contextWindow',
    path: ['maxOutputTokens'],
  })
export type ModelConfigUpsert = z.input<typeof modelConfigUpsert>

/** One entry of `GET /models`. */
export const modelSummary = modelConfig.pick({
  id: true,
  provider: true,
  displayName: true,
  contextWindow: true,
  maxOutputTokens: true,
  inputUsdPerMtok: true,
  outputUsdPerMtok: true,
  cachedInputUsdPerMtok: true,
  capabilities: true,
  isDefault: true,
})
export type ModelSummary = z.infer<typeof modelSummary>

export const modelList = z.object({
  items: z.array(modelSummary),
  defaultModelId: z.string(),
  /** True when no provider is configured and only the offline demo model answers. */
  demoOnly: z.boolean(),
})
export type ModelList = z.infer<typeof modelList>
