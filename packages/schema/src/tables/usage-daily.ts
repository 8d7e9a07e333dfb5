import { sql } from 'drizzle-orm'
import {
  bigint,
  check,
  date,
  index,
  pgPolicy,
  pgTable,
  primaryKey,
  text,
  uuid,
} from 'drizzle-orm/pg-core'
import { authenticatedRole, authUsers } from 'drizzle-orm/supabase'
import { currentUserId, isAdmin } from './columns.ts'
import { conversations } from './conversations.ts'

/**
 * Upper bounds (ms, exclusive) of the TTFT histogram's buckets; the last bucket is open-ended.
 * `public.usage_ttft_bucket` in the migration uses the same bounds.
 */
export const ttftBucketBoundsMs = [
  100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000,
] as const
export const ttftBucketCount = ttftBucketBoundsMs.length + 1

const sums = {
  requests: bigint('requests', { mode: 'number' }).notNull().default(0),
  inputTokens: bigint('input_tokens', { mode: 'number' }).notNull().default(0),
  outputTokens: bigint('output_tokens', { mode: 'number' }).notNull().default(0),
  cachedInputTokens: bigint('cached_input_tokens', { mode: 'number' }).notNull().default(0),
  costMicroUsd: bigint('cost_micro_usd', { mode: 'number' }).notNull().default(0),
  /** Calls that ended with status `error` (a user's stop is not one). */
  errors: bigint('errors', { mode: 'number' }).notNull().default(0),
  ttftCount: bigint('ttft_count', { mode: 'number' }).notNull().default(0),
  ttftSumMs: bigint('ttft_sum_ms', { mode: 'number' }).notNull().default(0),
  latencyCount: bigint('latency_count', { mode: 'number' }).notNull().default(0),
  latencySumMs: bigint('latency_sum_ms', { mode: 'number' }).notNull().default(0),
}

const ownOrAdmin = (userId: unknown) => sql`${userId} = ${currentUserId} or ${isAdmin}`

/**
 * The ledger (`usage_events`) summed per user, UTC day, model and provider, with calls counted
 * per TTFT bucket. Kept by a trigger on usage_events in the transaction that writes the ledger
 * row; users read their own rows, admins all, nobody writes them.
 */
export const usageDaily = pgTable(
  'usage_daily',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => authUsers.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    model: text('model').notNull(),
    provider: text('provider').notNull(),
    ...sums,
    ttftHistogram: bigint('ttft_histogram', { mode: 'number' })
      .array()
      .notNull()
      .default(sql`array_fill(0::bigint, array[12])`),
  },
  (t) => [
    primaryKey({ name: 'usage_daily_pkey', columns: [t.userId, t.day, t.model, t.provider] }),
    index('usage_daily_day_idx').on(t.day),
    check('usage_daily_histogram_size', sql`cardinality(${t.ttftHistogram}) = 12`),
    pgPolicy('usage_daily_select_own_or_admin', {
      for: 'select',
      to: authenticatedRole,
      using: ownOrAdmin(t.userId),
    }),
  ],
).enableRLS()

/** The ledger summed per conversation and UTC day, kept by the same trigger. */
export const usageDailyConversations = pgTable(
  'usage_daily_conversations',
  {
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => authUsers.id, { onDelete: 'cascade' }),
    ...sums,
  },
  (t) => [
    primaryKey({ name: 'usage_daily_conversations_pkey', columns: [t.conversationId, t.day] }),
    index('usage_daily_conversations_user_id_day_idx').on(t.userId, t.day),
    pgPolicy('usage_daily_conversations_select_own_or_admin', {
      for: 'select',
      to: authenticatedRole,
      using: ownOrAdmin(t.userId),
    }),
  ],
).enableRLS()
