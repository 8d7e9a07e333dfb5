import { createInsertSchema } from 'drizzle-zod'
import { z } from 'zod'
import { usageEvents } from '../tables/usage-events.ts'
import { uuid } from './common.ts'

const tokens = z.number().int().min(0)

/** One model call as the API records it; the owner is always the caller (`auth.uid()`). */
export const newUsageEvent = createInsertSchema(usageEvents, {
  conversationId: uuid.nullable().optional(),
  messageId: uuid.nullable().optional(),
  requestId: z.string().max(200).nullable().optional(),
  provider: z.string().min(1).max(64),
  model: z.string().min(1).max(100),
  promptName: z.string().max(100).nullable().optional(),
  promptVersion: z.string().max(50).nullable().optional(),
  inputTokens: tokens.optional(),
  outputTokens: tokens.optional(),
  cachedInputTokens: tokens.optional(),
  reasoningTokens: tokens.optional(),
  costMicroUsd: tokens.optional(),
  ttftMs: tokens.nullable().optional(),
  latencyMs: tokens.nullable().optional(),
  errorCode: z.string().max(100).nullable().optional(),
  /** Upstream requests sent; 0 when none could be (every provider circuit open). */
  attempts: z.number().int().min(0).max(100).optional(),
  fallbackFrom: z.string().max(100).nullable().optional(),
})
  .omit({ id: true, userId: true, createdAt: true })
  .strict()
export type NewUsageEvent = z.input<typeof newUsageEvent>

export const usageTotalsQuery = z.strictObject({
  from: z.iso.date(),
  to: z.iso.date(),
})

/** Spend of one user on one day (UTC) with one model. */
export const usageTotals = z.object({
  day: z.iso.date(),
  model: z.string(),
  calls: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cachedInputTokens: z.number().int(),
  costMicroUsd: z.number().int(),
})
export type UsageTotals = z.infer<typeof usageTotals>
