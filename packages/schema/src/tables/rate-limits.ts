import { index, integer, pgSchema, text, uuid } from 'drizzle-orm/pg-core'
import { timestampMs } from './columns.ts'

/**
 * Rate limit state shared by every API instance (unlogged tables in a schema no API role can
 * use; the server reaches them through `parley_private` functions). See the migration
 * `20261205150000_rate_limits.sql`.
 */
export const parleyPrivate = pgSchema('parley_private')

export const rateCounters = parleyPrivate.table(
  'rate_counters',
  {
    key: text('key').primaryKey(),
    windowStart: timestampMs('window_start').notNull(),
    hits: integer('hits').notNull(),
    until: timestampMs('until').notNull(),
  },
  (t) => [index('rate_counters_until_idx').on(t.until)],
)

export const liveStreams = parleyPrivate.table(
  'live_streams',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    expiresAt: timestampMs('expires_at').notNull(),
  },
  (t) => [index('live_streams_user_idx').on(t.userId, t.expiresAt)],
)
