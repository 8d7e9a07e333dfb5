import { sql } from 'drizzle-orm'
import { check, index, integer, pgPolicy, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { authenticatedRole } from 'drizzle-orm/supabase'
import { currentUserId, isAdmin, timestampMs } from './columns.ts'

/** `server`: a 5xx the API answered; `provider`: a model call that failed (or fell back). */
export const errorSources = ['server', 'provider'] as const
export type ErrorSource = (typeof errorSources)[number]

/** `error`: the user saw a failure; `warning`: it was survived (a fallback answered). */
export const errorSeverities = ['error', 'warning'] as const
export type ErrorSeverity = (typeof errorSeverities)[number]

/**
 * Server errors and provider failures, for admins: codes and fixed messages, never message
 * text or tokens. Written by the server in batches; admins read them and mark them resolved.
 */
export const errorLog = pgTable(
  'error_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requestId: text('request_id'),
    source: text('source', { enum: errorSources }).notNull(),
    severity: text('severity', { enum: errorSeverities }).notNull(),
    method: text('method'),
    route: text('route'),
    status: integer('status'),
    code: text('code').notNull(),
    message: text('message').notNull(),
    provider: text('provider'),
    model: text('model'),
    userId: uuid('user_id'),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
    resolvedAt: timestampMs('resolved_at'),
    resolvedBy: uuid('resolved_by'),
    resolutionNote: text('resolution_note'),
  },
  (t) => [
    index('error_log_created_at_idx').on(t.createdAt.desc(), t.id.desc()),
    index('error_log_unresolved_idx').on(t.createdAt.desc()).where(sql`resolved_at is null`),
    check('error_log_source_valid', sql`${t.source} in ('server', 'provider')`),
    check('error_log_severity_valid', sql`${t.severity} in ('error', 'warning')`),
    check('error_log_message_length', sql`char_length(${t.message}) <= 500`),
    check('error_log_note_length', sql`char_length(${t.resolutionNote}) <= 2000`),
    check(
      'error_log_resolved_together',
      sql`(${t.resolvedAt} is null) = (${t.resolvedBy} is null)`,
    ),
    pgPolicy('error_log_select_admin', { for: 'select', to: authenticatedRole, using: isAdmin }),
    pgPolicy('error_log_update_admin', {
      for: 'update',
      to: authenticatedRole,
      using: isAdmin,
      withCheck: sql`${isAdmin} and (${t.resolvedBy} is null or ${t.resolvedBy} = ${currentUserId})`,
    }),
  ],
).enableRLS()
