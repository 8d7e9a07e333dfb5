import { pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { messages } from './messages.ts'

/** Server bookkeeping the Data API does not expose: only the service role may use it. */
const parleyInternal = pgSchema('parley_internal')

/**
 * Which server instance is streaming each reply, renewed by its heartbeat. A reply whose lease
 * went stale lost its server and is closed by another instance.
 */
export const replyLeases = parleyInternal
  .table('reply_leases', {
    messageId: uuid('message_id')
      .primaryKey()
      .references(() => messages.id, { onDelete: 'cascade' }),
    instanceId: uuid('instance_id').notNull(),
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
  })
  .enableRLS()

/**
 * Background work one instance does for all (a catch-up pass over every user's messages), held
 * under a lease its instance renews; another instance takes the job once the lease has run out.
 */
export const jobLeases = parleyInternal
  .table('job_leases', {
    job: text('job').primaryKey(),
    instanceId: uuid('instance_id').notNull(),
    leaseUntil: timestamp('lease_until', { withTimezone: true }).notNull(),
  })
  .enableRLS()
