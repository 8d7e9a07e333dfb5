import { sql } from 'drizzle-orm'
import {
  bigint,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgPolicy,
  pgTable,
  text,
  unique,
  uuid,
} from 'drizzle-orm/pg-core'
import { authenticatedRole, authUsers } from 'drizzle-orm/supabase'
import type { Citation } from '../contracts/knowledge.ts'
import { currentUserId, timestamps } from './columns.ts'
import { conversations } from './conversations.ts'

export const messageRoles = ['system', 'user', 'assistant', 'tool'] as const
export const messageStatuses = ['streaming', 'complete', 'incomplete', 'error'] as const

export interface MessageError {
  code: string
  message: string
}

const own = sql`user_id = ${currentUserId}`

export const messages = pgTable(
  'messages',
  {
    /** Client-supplied when sending: it is the idempotency key of a send. */
    id: uuid('id').primaryKey().defaultRandom(),
    /** Insertion order; a user message and its reply share a transaction timestamp. */
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    conversationId: uuid('conversation_id').notNull(),
    userId: uuid('user_id')
      .notNull()
      .default(sql`auth.uid()`)
      .references(() => authUsers.id, { onDelete: 'cascade' }),
    /** The message this one answers or branches from (regenerate and edit create siblings). */
    parentId: uuid('parent_id'),
    role: text('role', { enum: messageRoles }).notNull(),
    content: text('content').notNull().default(''),
    status: text('status', { enum: messageStatuses }).notNull().default('complete'),
    model: text('model'),
    provider: text('provider'),
    inputTokens: integer('input_tokens'),
    outputTokens: integer('output_tokens'),
    cachedInputTokens: integer('cached_input_tokens'),
    /** Tokens of `content`, cached so context budgeting does not re-tokenise history. */
    tokenCount: integer('token_count').notNull().default(0),
    costMicroUsd: bigint('cost_micro_usd', { mode: 'number' }).notNull().default(0),
    ttftMs: integer('ttft_ms'),
    latencyMs: integer('latency_ms'),
    error: jsonb('error').$type<MessageError>(),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    /** The file passages a reply cites as `[n]`, set when the reply settles. */
    citations: jsonb('citations').$type<Citation[]>().notNull().default([]),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'messages_conversation_owner_fkey',
      columns: [t.conversationId, t.userId],
      foreignColumns: [conversations.id, conversations.userId],
    }).onDelete('cascade'),
    unique('messages_id_conversation_id_key').on(t.id, t.conversationId),
    // A parent must live in the same conversation.
    foreignKey({
      name: 'messages_parent_fkey',
      columns: [t.parentId, t.conversationId],
      foreignColumns: [t.id, t.conversationId],
    }).onDelete('cascade'),
    // No self-parent; the trigger messages_parent_precedes also refuses later parents (no cycles).
    check('messages_parent_not_self', sql`${t.parentId} <> ${t.id}`),
    index('messages_conversation_id_seq_idx').on(t.conversationId, t.seq),
    index('messages_parent_id_idx').on(t.parentId),
    index('messages_streaming_updated_at_idx')
      .on(t.updatedAt)
      .where(sql`${t.status} = 'streaming'`),
    check('messages_role_valid', sql`${t.role} in ('system', 'user', 'assistant', 'tool')`),
    check(
      'messages_status_valid',
      sql`${t.status} in ('streaming', 'complete', 'incomplete', 'error')`,
    ),
    check('messages_content_length', sql`char_length(${t.content}) <= 1000000`),
    check(
      'messages_citations_array',
      sql`jsonb_typeof(${t.citations}) = 'array' and jsonb_array_length(${t.citations}) <= 50`,
    ),
    // Search: replies being written stay out, so their progress writes do not re-tokenise.
    index('messages_search_idx')
      .using('gin', sql`to_tsvector('english'::regconfig, left(${t.content}, 100000))`)
      .where(sql`${t.status} <> 'streaming'`),
    check(
      'messages_counts_non_negative',
      sql`${t.tokenCount} >= 0 and ${t.costMicroUsd} >= 0 and coalesce(${t.inputTokens}, 0) >= 0 and coalesce(${t.outputTokens}, 0) >= 0`,
    ),
    pgPolicy('messages_select_own', { for: 'select', to: authenticatedRole, using: own }),
    pgPolicy('messages_insert_own', { for: 'insert', to: authenticatedRole, withCheck: own }),
    pgPolicy('messages_update_own', {
      for: 'update',
      to: authenticatedRole,
      using: own,
      withCheck: own,
    }),
  ],
).enableRLS()
