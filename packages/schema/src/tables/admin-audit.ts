import { sql } from 'drizzle-orm'
import { check, index, jsonb, pgPolicy, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { authenticatedRole, authUsers } from 'drizzle-orm/supabase'
import { currentUserId, isAdmin, timestampMs } from './columns.ts'

/**
 * Every admin change: who (id and email, taken from the admin's token by the database), when,
 * what, and the target before and after. Admins read it; an admin inserts only their own
 * entries; nobody updates or deletes through the API roles. See the migration
 * `20261206110000_admin_models_audit.sql`.
 */
export const adminAudit = pgTable(
  'admin_audit',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    actorId: uuid('actor_id')
      .default(sql`auth.uid()`)
      .references(() => authUsers.id, { onDelete: 'set null' }),
    actorEmail: text('actor_email').default(sql`(auth.jwt() ->> 'email')`),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id').notNull(),
    before: jsonb('before').$type<unknown>(),
    after: jsonb('after').$type<unknown>(),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('admin_audit_created_at_idx').on(t.createdAt.desc(), t.id.desc()),
    index('admin_audit_target_idx').on(t.targetType, t.createdAt.desc(), t.id.desc()),
    index('admin_audit_actor_id_idx').on(t.actorId),
    check('admin_audit_action_format', sql`${t.action} ~ '^[a-z][a-z_]*(\\.[a-z][a-z_]*)*$'`),
    check('admin_audit_target_type_format', sql`${t.targetType} ~ '^[a-z][a-z_]{0,63}$'`),
    check('admin_audit_target_id_length', sql`char_length(${t.targetId}) between 1 and 200`),
    pgPolicy('admin_audit_select_admin', { for: 'select', to: authenticatedRole, using: isAdmin }),
    pgPolicy('admin_audit_insert_admin', {
      for: 'insert',
      to: authenticatedRole,
      withCheck: sql`${isAdmin} and ${t.actorId} = ${currentUserId} and ${t.actorEmail} is not distinct from ((select auth.jwt()) ->> 'email')`,
    }),
  ],
).enableRLS()
