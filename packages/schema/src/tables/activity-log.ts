import { sql } from 'drizzle-orm'
import { check, index, jsonb, pgPolicy, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { authenticatedRole } from 'drizzle-orm/supabase'
import { currentUserId, isAdmin, timestampMs } from './columns.ts'

/**
 * What the activity log records. `file_*` are kept for file uploads; the admin `*_changed`
 * types are recorded by the admin routes.
 */
export const activityTypes = [
  'sign_in',
  'sign_out',
  'password_changed',
  'account_deleted',
  'conversation_created',
  'conversation_deleted',
  'share_created',
  'share_revoked',
  'feedback_given',
  'feedback_cleared',
  'file_uploaded',
  'file_deleted',
  'invitation_created',
  'budget_changed',
  'user_changed',
  'model_changed',
] as const
export type ActivityType = (typeof activityTypes)[number]

/** Small, safe facts about an event: ids, counts, flags; never text a user wrote. */
export type ActivityMetadata = Record<string, string | number | boolean | null>

/**
 * One thing a person did. Written by the server (service role) in batches; a user reads their
 * own rows, admins all. `user_id` has no foreign key: an account's deletion is itself recorded.
 */
export const activityLog = pgTable(
  'activity_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull(),
    type: text('type', { enum: activityTypes }).notNull(),
    targetId: text('target_id'),
    metadata: jsonb('metadata').$type<ActivityMetadata>().notNull().default({}),
    requestId: text('request_id'),
    ip: text('ip'),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('activity_log_user_id_created_at_idx').on(t.userId, t.createdAt.desc(), t.id.desc()),
    index('activity_log_created_at_idx').on(t.createdAt.desc(), t.id.desc()),
    check('activity_log_target_id_length', sql`char_length(${t.targetId}) <= 200`),
    check(
      'activity_log_metadata_small',
      sql`jsonb_typeof(${t.metadata}) = 'object' and octet_length(${t.metadata}::text) <= 2048`,
    ),
    check('activity_log_request_id_length', sql`char_length(${t.requestId}) <= 200`),
    check('activity_log_ip_length', sql`char_length(${t.ip}) <= 64`),
    pgPolicy('activity_log_select_own_or_admin', {
      for: 'select',
      to: authenticatedRole,
      using: sql`${t.userId} = ${currentUserId} or ${isAdmin}`,
    }),
  ],
).enableRLS()
