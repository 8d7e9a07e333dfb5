import { sql } from 'drizzle-orm'
import { bigint, check, integer, jsonb, pgPolicy, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { authenticatedRole, authUsers } from 'drizzle-orm/supabase'
import { currentUserId, timestamps } from './columns.ts'

export const themes = ['system', 'light', 'dark'] as const
export type Theme = (typeof themes)[number]

/** One row per user, created by a trigger on `auth.users`; the user reads and edits only their own. */
export const profiles = pgTable(
  'profiles',
  {
    id: uuid('id')
      .primaryKey()
      .references(() => authUsers.id, { onDelete: 'cascade' }),
    email: text('email'),
    displayName: text('display_name'),
    defaultModel: text('default_model'),
    theme: text('theme', { enum: themes }).notNull().default('system'),
    /** Custom instructions: what the model should know about the user. */
    aboutMe: text('about_me'),
    /** Custom instructions: how the model should answer. */
    replyStyle: text('reply_style'),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
    /** Quota counters, moved by triggers on conversations and messages (never by the user). */
    conversationCount: integer('conversation_count').notNull().default(0),
    /** Bytes of the user's message contents, system prompts and uploaded files. */
    storedBytes: bigint('stored_bytes', { mode: 'number' }).notNull().default(0),
    /** Quota counter, moved by a trigger on files. */
    fileCount: integer('file_count').notNull().default(0),
    ...timestamps,
  },
  (t) => [
    check('profiles_display_name_length', sql`char_length(${t.displayName}) <= 100`),
    check('profiles_about_me_length', sql`char_length(${t.aboutMe}) <= 1500`),
    check('profiles_reply_style_length', sql`char_length(${t.replyStyle}) <= 1500`),
    check('profiles_theme_valid', sql`${t.theme} in ('system', 'light', 'dark')`),
    pgPolicy('profiles_select_own', {
      for: 'select',
      to: authenticatedRole,
      using: sql`${t.id} = ${currentUserId}`,
    }),
    pgPolicy('profiles_update_own', {
      for: 'update',
      to: authenticatedRole,
      using: sql`${t.id} = ${currentUserId}`,
      withCheck: sql`${t.id} = ${currentUserId}`,
    }),
  ],
).enableRLS()
