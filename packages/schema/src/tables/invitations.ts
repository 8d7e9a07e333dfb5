import { sql } from 'drizzle-orm'
import { check, pgPolicy, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { authenticatedRole, authUsers } from 'drizzle-orm/supabase'
import { currentUserId, isAdmin, timestampMs } from './columns.ts'

/**
 * Invitations to sign up (`PARLEY_SIGNUP=invite`): admins only. The token is stored as its
 * SHA-256; the embedded auth server consumes an invitation once, at sign-up.
 */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdBy: uuid('created_by')
      .default(sql`auth.uid()`)
      .references(() => authUsers.id, { onDelete: 'set null' }),
    expiresAt: timestampMs('expires_at').notNull(),
    usedAt: timestampMs('used_at'),
    usedBy: uuid('used_by').references(() => authUsers.id, { onDelete: 'set null' }),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('invitations_token_hash_idx').on(t.tokenHash),
    check(
      'invitations_email_normalised',
      sql`${t.email} = lower(btrim(${t.email})) and char_length(${t.email}) <= 255`,
    ),
    check('invitations_token_hash_format', sql`${t.tokenHash} ~ '^[0-9a-f]{64}$'`),
    pgPolicy('invitations_select_admin', { for: 'select', to: authenticatedRole, using: isAdmin }),
    pgPolicy('invitations_insert_admin', {
      for: 'insert',
      to: authenticatedRole,
      withCheck: sql`${isAdmin} and ${t.createdBy} = ${currentUserId}`,
    }),
    pgPolicy('invitations_delete_admin', { for: 'delete', to: authenticatedRole, using: isAdmin }),
  ],
).enableRLS()
