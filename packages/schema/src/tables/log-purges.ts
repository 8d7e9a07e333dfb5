import { pgSchema, text, timestamp } from 'drizzle-orm/pg-core'

const parleyInternal = pgSchema('parley_internal')

/** When each retention purge last ran; moved by a conditional update so one instance purges. */
export const logPurges = parleyInternal
  .table('log_purges', {
    name: text('name').primaryKey(),
    purgedAt: timestamp('purged_at', { withTimezone: true }).notNull(),
  })
  .enableRLS()
