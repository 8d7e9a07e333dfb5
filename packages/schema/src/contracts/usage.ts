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

/** The longest range a usage report covers, in days (both ends included). */
export const maxUsageRangeDays = 366

export const usageGroupBy = z.enum(['day', 'model', 'conversation'])
export const adminUsageGroupBy = z.enum(['day', 'model', 'user'])
export type UsageGroupBy = z.infer<typeof usageGroupBy> | z.infer<typeof adminUsageGroupBy>

const usageQueryBase = {
  /** First UTC day, included; default the first day of the current budget period. */
  from: z.iso.date().optional(),
  /** Last UTC day, included; default the last day of the current budget period. */
  to: z.iso.date().optional(),
  format: z.enum(['json', 'csv']).default('json'),
}

/** `GET /usage`: the caller's own usage. */
export const usageQuery = z.strictObject({
  ...usageQueryBase,
  groupBy: usageGroupBy.default('day'),
})
export type UsageQuery = z.input<typeof usageQuery>

/** `GET /admin/usage`: everyone's usage (admins). */
export const adminUsageQuery = z.strictObject({
  ...usageQueryBase,
  groupBy: adminUsageGroupBy.default('day'),
})
export type AdminUsageQuery = z.input<typeof adminUsageQuery>

const count = z.number().int().min(0)
const ms = z.number().int().min(0).nullable()

/** One group of a usage report. */
export const usageRow = z.object({
  /** The day (`2026-12-05`), model id, conversation id or user id the row sums. */
  key: z.string(),
  /** The conversation's title, when grouped by conversation; otherwise null. */
  label: z.string().nullable(),
  requests: count,
  inputTokens: count,
  outputTokens: count,
  cachedTokens: count,
  /** USD as a decimal string, exact to the micro-dollar. */
  costUsd: z.string(),
  /** Calls that failed (a user's stop is not a failure). */
  errors: count,
  /** Null when no call in the group produced a first token. */
  avgTtftMs: ms,
  avgLatencyMs: ms,
  /** From the daily TTFT histogram (the bucket's interpolated value); null by conversation. */
  ttftP50Ms: ms,
  ttftP95Ms: ms,
})
export type UsageRow = z.infer<typeof usageRow>

export const usageReport = z.object({
  from: z.iso.date(),
  to: z.iso.date(),
  groupBy: z.enum(['day', 'model', 'conversation', 'user']),
  items: z.array(usageRow),
  /** Every group together. */
  total: usageRow,
})
export type UsageReport = z.infer<typeof usageReport>
