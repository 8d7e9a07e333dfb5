import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  check,
  index,
  pgPolicy,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core'
import { authenticatedRole, authUsers } from 'drizzle-orm/supabase'
import { currentUserId, isAdmin, timestampMs } from './columns.ts'

export const budgetPeriods = ['monthly', 'weekly', 'daily'] as const

/**
 * A user's spend budget. `overridden`: an admin set the limit (null: unlimited) and period;
 * otherwise the team default applies. The row is the lock every reservation of that user takes,
 * and holds the period's spend as a running total. Users read their own; only admins write limits.
 */
export const budgets = pgTable(
  'budgets',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => authUsers.id, { onDelete: 'cascade' }),
    limitMicroUsd: bigint('limit_micro_usd', { mode: 'number' }),
    period: text('period', { enum: budgetPeriods }).notNull().default('monthly'),
    overridden: boolean('overridden').notNull().default(false),
    updatedAt: timestampMs('updated_at').notNull().defaultNow(),
    /** The spend of `spentPeriod` starting at `spentSince`, kept as usage rows are written. */
    spentMicroUsd: bigint('spent_micro_usd', { mode: 'number' }).notNull().default(0),
    spentPeriod: text('spent_period', { enum: budgetPeriods }),
    spentSince: timestamp('spent_since', { withTimezone: true }),
  },
  (t) => [
    check('budgets_limit_non_negative', sql`${t.limitMicroUsd} is null or ${t.limitMicroUsd} >= 0`),
    check('budgets_period_valid', sql`${t.period} in ('monthly', 'weekly', 'daily')`),
    pgPolicy('budgets_select_own_or_admin', {
      for: 'select',
      to: authenticatedRole,
      using: sql`${t.userId} = ${currentUserId} or ${isAdmin}`,
    }),
    pgPolicy('budgets_insert_admin', { for: 'insert', to: authenticatedRole, withCheck: isAdmin }),
    pgPolicy('budgets_update_admin', {
      for: 'update',
      to: authenticatedRole,
      using: isAdmin,
      withCheck: isAdmin,
    }),
  ],
).enableRLS()

/**
 * The worst case of a running chat turn, held against its user's budget until the turn settles
 * (or the sweeper releases it after a crash). Written only by `reserve_budget`,
 * `settle_budget` and `settle_reply_budget` (which `settle_turn` calls).
 */
export const budgetReservations = pgTable(
  'budget_reservations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => authUsers.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id'),
    amountMicroUsd: bigint('amount_micro_usd', { mode: 'number' }).notNull(),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('budget_reservations_user_id_message_id_idx').on(t.userId, t.messageId),
    check('budget_reservations_amount_non_negative', sql`${t.amountMicroUsd} >= 0`),
    pgPolicy('budget_reservations_select_own_or_admin', {
      for: 'select',
      to: authenticatedRole,
      using: sql`${t.userId} = ${currentUserId} or ${isAdmin}`,
    }),
  ],
).enableRLS()
