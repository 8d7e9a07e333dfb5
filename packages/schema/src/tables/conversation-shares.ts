import { sql } from 'drizzle-orm'
import { check, index, integer, jsonb, pgPolicy, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { authenticatedRole, authUsers } from 'drizzle-orm/supabase'
import { currentUserId, timestampMs } from './columns.ts'
import { conversations } from './conversations.ts'
import { messages } from './messages.ts'

/** One message as a share link shows it: no ids, no owner, nothing but what was said and by whom. */
export interface SnapshotMessage {
  role: 'user' | 'assistant'
  content: string
  /** The model that wrote a reply; null for the user's messages. */
  model: string | null
  createdAt: string
}

const own = sql`user_id = ${currentUserId}`

/**
 * A share link: the conversation's thread from its first message to `message_id`, copied when
 * the link was made (`snapshot`), under an unguessable id. Owners create, list and revoke their
 * own; the public reads one by id through `public.read_share` only.
 */
export const conversationShares = pgTable(
  'conversation_shares',
  {
    id: text('id').primaryKey(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .default(sql`auth.uid()`)
      .references(() => authUsers.id, { onDelete: 'cascade' }),
    title: text('title'),
    snapshot: jsonb('snapshot').$type<SnapshotMessage[]>().notNull(),
    messageCount: integer('message_count').notNull(),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
    revokedAt: timestampMs('revoked_at'),
  },
  (t) => [
    index('conversation_shares_conversation_id_idx').on(t.conversationId, t.createdAt),
    index('conversation_shares_user_id_idx').on(t.userId),
    index('conversation_shares_message_id_idx').on(t.messageId),
    check('conversation_shares_id_format', sql`${t.id} ~ '^[A-Za-z0-9_-]{22,64}$'`),
    check('conversation_shares_snapshot_array', sql`jsonb_typeof(${t.snapshot}) = 'array'`),
    check(
      'conversation_shares_message_count',
      sql`${t.messageCount} = jsonb_array_length(${t.snapshot})`,
    ),
    pgPolicy('conversation_shares_select_own', {
      for: 'select',
      to: authenticatedRole,
      using: own,
    }),
    // Only of one's own conversation, up to one of its messages (the subqueries run under RLS).
    pgPolicy('conversation_shares_insert_own', {
      for: 'insert',
      to: authenticatedRole,
      withCheck: sql`${own} and revoked_at is null and exists (select 1 from public.conversations c where c.id = conversation_id) and exists (select 1 from public.messages m where m.id = message_id and m.conversation_id = conversation_id)`,
    }),
    // Revoking is the only change, and it is final.
    pgPolicy('conversation_shares_update_own', {
      for: 'update',
      to: authenticatedRole,
      using: own,
      withCheck: sql`${own} and revoked_at is not null`,
    }),
  ],
).enableRLS()
