import {
  bigserial,
  boolean,
  jsonb,
  pgSchema,
  text,
  timestamp,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core'

/**
 * The parts of Supabase's `auth` schema the embedded auth server reads and writes. On Supabase
 * these belong to Supabase Auth; locally they are created by the compatibility bootstrap.
 */
const auth = pgSchema('auth')

const tz = (name: string) => timestamp(name, { withTimezone: true })

export const authUsers = auth.table('users', {
  id: uuid('id').primaryKey(),
  aud: varchar('aud', { length: 255 }),
  role: varchar('role', { length: 255 }),
  email: varchar('email', { length: 255 }),
  encryptedPassword: varchar('encrypted_password', { length: 255 }),
  emailConfirmedAt: tz('email_confirmed_at'),
  lastSignInAt: tz('last_sign_in_at'),
  rawAppMetaData: jsonb('raw_app_meta_data').$type<Record<string, unknown>>().notNull(),
  rawUserMetaData: jsonb('raw_user_meta_data').$type<Record<string, unknown>>().notNull(),
  isAnonymous: boolean('is_anonymous').notNull(),
  bannedUntil: tz('banned_until'),
  /** SHA-256 (hex) of the one outstanding password reset token; empty when there is none. */
  recoveryToken: varchar('recovery_token', { length: 255 }),
  recoverySentAt: tz('recovery_sent_at'),
  deletedAt: tz('deleted_at'),
  createdAt: tz('created_at').notNull(),
  updatedAt: tz('updated_at').notNull(),
})

export const authSessions = auth.table('sessions', {
  id: uuid('id').primaryKey(),
  userId: uuid('user_id').notNull(),
  createdAt: tz('created_at').notNull(),
  updatedAt: tz('updated_at').notNull(),
  refreshedAt: tz('refreshed_at'),
  notAfter: tz('not_after'),
  userAgent: text('user_agent'),
})

export const authRefreshTokens = auth.table('refresh_tokens', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  /** SHA-256 (hex) of the refresh token. */
  token: varchar('token', { length: 255 }).notNull(),
  userId: varchar('user_id', { length: 255 }),
  revoked: boolean('revoked').notNull(),
  parent: varchar('parent', { length: 255 }),
  sessionId: uuid('session_id'),
  createdAt: tz('created_at').notNull(),
  updatedAt: tz('updated_at').notNull(),
})
