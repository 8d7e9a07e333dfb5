import { sql } from 'drizzle-orm'
import { bigint, check, index, integer, pgPolicy, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { authenticatedRole, authUsers } from 'drizzle-orm/supabase'
import { currentUserId, isAdmin, timestampMs } from './columns.ts'
import { conversations } from './conversations.ts'
import { messages } from './messages.ts'

export const usageStatuses = ['ok', 'error', 'aborted'] as const

/**
 * One row per model call: the spend ledger. Append-only for users. When a user, conversation
 * or message is deleted the row is kept with that reference set to null, so team spend
 * stays correct while nothing in it points back at the deleted data.
 */
export const usageEvents = pgTable(
  'usage_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .default(sql`auth.uid()`)
      .references(() => authUsers.id, { onDelete: 'set null' }),
    conversationId: uuid('conversation_id').references(() => conversations.id, {
      onDelete: 'set null',
    }),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'set null' }),
    requestId: text('request_id'),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    promptName: text('prompt_name'),
    promptVersion: text('prompt_version'),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    cachedInputTokens: integer('cached_input_tokens').notNull().default(0),
    reasoningTokens: integer('reasoning_tokens').notNull().default(0),
    costMicroUsd: bigint('cost_micro_usd', { mode: 'number' }).notNull().default(0),
    ttftMs: integer('ttft_ms'),
    latencyMs: integer('latency_ms'),
    status: text('status', { enum: usageStatuses }).notNull(),
    errorCode: text('error_code'),
    attempts: integer('attempts').notNull().default(1),
    fallbackFrom: text('fallback_from'),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('usage_events_user_id_created_at_idx').on(t.userId, t.createdAt.desc()),
    index('usage_events_conversation_id_idx').on(t.conversationId),
    index('usage_events_message_id_idx').on(t.messageId),
    check('usage_events_status_valid', sql`${t.status} in ('ok', 'error', 'aborted')`),
    check(
      'usage_events_counts_non_negative',
      sql`${t.inputTokens} >= 0 and ${t.outputTokens} >= 0 and ${t.cachedInputTokens} >= 0 and ${t.reasoningTokens} >= 0 and ${t.costMicroUsd} >= 0 and ${t.attempts} >= 0`,
    ),
    pgPolicy('usage_events_select_own_or_admin', {
      for: 'select',
      to: authenticatedRole,
      using: sql`${t.userId} = ${currentUserId} or ${isAdmin}`,
    }),
    // The referenced conversation and message must be the caller's own (subqueries run under RLS).
    pgPolicy('usage_events_insert_own', {
      for: 'insert',
      to: authenticatedRole,
      withCheck: sql`${t.userId} = ${currentUserId}
        and (${t.conversationId} is null or exists (select 1 from public.conversations c where c.id = ${t.conversationId}))
        and (${t.messageId} is null or exists (select 1 from public.messages m where m.id = ${t.messageId}))`,
    }),
  ],
).enableRLS()
