import { sql } from 'drizzle-orm'
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgPolicy,
  pgTable,
  real,
  text,
  unique,
  uuid,
} from 'drizzle-orm/pg-core'
import { authenticatedRole, authUsers } from 'drizzle-orm/supabase'
import type { FileScope } from '../contracts/knowledge.ts'
import { currentUserId, timestampMs, timestamps } from './columns.ts'

export const visibilities = ['private', 'public'] as const

const own = sql`user_id = ${currentUserId}`

export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .default(sql`auth.uid()`)
      .references(() => authUsers.id, { onDelete: 'cascade' }),
    title: text('title'),
    /** When a title was first asked for: titles are generated at most once per conversation. */
    titleRequestedAt: timestampMs('title_requested_at'),
    /** A model id from `model_configs` or `auto`; null means the user's default. */
    model: text('model'),
    systemPrompt: text('system_prompt'),
    temperature: real('temperature'),
    visibility: text('visibility', { enum: visibilities }).notNull().default('private'),
    archivedAt: timestampMs('archived_at'),
    inputTokens: bigint('input_tokens', { mode: 'number' }).notNull().default(0),
    outputTokens: bigint('output_tokens', { mode: 'number' }).notNull().default(0),
    costMicroUsd: bigint('cost_micro_usd', { mode: 'number' }).notNull().default(0),
    /** Quota counter, moved by triggers on messages (an insert always starts it at 0). */
    messageCount: integer('message_count').notNull().default(0),
    /** Sort key of the conversation list: bumped when a message is added, not on rename. */
    lastMessageAt: timestampMs('last_message_at').notNull().defaultNow(),
    /**
     * The leaf the shown thread ends at (null: the newest message). The migration declares it as
     * referencing messages(id) on delete set null; here that would make the tables import each other.
     */
    activeLeafId: uuid('active_leaf_id'),
    /** Which of the user's files the turns read from. */
    fileScope: jsonb('file_scope').$type<FileScope>().notNull().default({ mode: 'none' }),
    ...timestamps,
  },
  (t) => [
    // Target of messages' composite foreign key: a message's owner is its conversation's owner.
    unique('conversations_id_user_id_key').on(t.id, t.userId),
    index('conversations_user_id_last_message_at_idx').on(
      t.userId,
      t.lastMessageAt.desc(),
      t.id.desc(),
    ),
    check('conversations_title_length', sql`char_length(${t.title}) <= 200`),
    check('conversations_system_prompt_length', sql`char_length(${t.systemPrompt}) <= 20000`),
    check('conversations_temperature_range', sql`${t.temperature} between 0 and 2`),
    check('conversations_visibility_valid', sql`${t.visibility} in ('private', 'public')`),
    check(
      'conversations_file_scope_valid',
      sql`${t.fileScope} ->> 'mode' in ('none', 'files', 'all')`,
    ),
    index('conversations_title_search_idx')
      .using('gin', sql`to_tsvector('english'::regconfig, coalesce(${t.title}, ''))`)
      .where(sql`${t.title} is not null`),
    check(
      'conversations_totals_non_negative',
      sql`${t.inputTokens} >= 0 and ${t.outputTokens} >= 0 and ${t.costMicroUsd} >= 0`,
    ),
    pgPolicy('conversations_select_own', { for: 'select', to: authenticatedRole, using: own }),
    pgPolicy('conversations_insert_own', { for: 'insert', to: authenticatedRole, withCheck: own }),
    pgPolicy('conversations_update_own', {
      for: 'update',
      to: authenticatedRole,
      using: own,
      withCheck: own,
    }),
    pgPolicy('conversations_delete_own', { for: 'delete', to: authenticatedRole, using: own }),
  ],
).enableRLS()
