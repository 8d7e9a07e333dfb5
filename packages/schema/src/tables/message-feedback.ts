import { sql } from 'drizzle-orm'
import { check, index, pgPolicy, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { authenticatedRole, authUsers } from 'drizzle-orm/supabase'
import { currentUserId, isAdmin, timestamps } from './columns.ts'
import { messages } from './messages.ts'

export const feedbackVotes = ['up', 'down'] as const
export type FeedbackVote = (typeof feedbackVotes)[number]

/** Tags a user may attach to a vote; the web app offers the first three on up, the rest on down. */
export const feedbackReasons = [
  'accurate',
  'helpful',
  'well_written',
  'inaccurate',
  'unhelpful',
  'too_long',
  'off_topic',
  'unsafe',
] as const
export type FeedbackReason = (typeof feedbackReasons)[number]

const own = sql`user_id = ${currentUserId}`

/**
 * A user's vote on one of their replies, changeable. `model` is copied from the reply by a
 * trigger, so admins count satisfaction per model without reading anyone's messages.
 */
export const messageFeedback = pgTable(
  'message_feedback',
  {
    messageId: uuid('message_id')
      .primaryKey()
      .references(() => messages.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .default(sql`auth.uid()`)
      .references(() => authUsers.id, { onDelete: 'cascade' }),
    model: text('model'),
    vote: text('vote', { enum: feedbackVotes }).notNull(),
    reasons: text('reasons').array().$type<FeedbackReason[]>().notNull().default(sql`'{}'`),
    comment: text('comment'),
    ...timestamps,
  },
  (t) => [
    index('message_feedback_user_id_idx').on(t.userId),
    index('message_feedback_model_idx').on(t.model),
    check('message_feedback_vote_valid', sql`${t.vote} in ('up', 'down')`),
    // Match maxFeedbackReasons and maxFeedbackCommentChars in limits.ts.
    check('message_feedback_reasons_count', sql`cardinality(${t.reasons}) <= 8`),
    check('message_feedback_comment_length', sql`char_length(${t.comment}) <= 2000`),
    pgPolicy('message_feedback_select_own_or_admin', {
      for: 'select',
      to: authenticatedRole,
      using: sql`${own} or ${isAdmin}`,
    }),
    // Only on one's own replies (the subquery runs under the messages policies).
    pgPolicy('message_feedback_insert_own', {
      for: 'insert',
      to: authenticatedRole,
      withCheck: sql`${own} and exists (select 1 from public.messages m where m.id = message_id and m.role = 'assistant')`,
    }),
    pgPolicy('message_feedback_update_own', {
      for: 'update',
      to: authenticatedRole,
      using: own,
      withCheck: own,
    }),
    pgPolicy('message_feedback_delete_own', { for: 'delete', to: authenticatedRole, using: own }),
  ],
).enableRLS()
