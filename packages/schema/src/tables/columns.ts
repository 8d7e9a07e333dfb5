import { sql } from 'drizzle-orm'
import { timestamp } from 'drizzle-orm/pg-core'

/** Millisecond precision, so a JavaScript Date round-trips exactly (cursors depend on it). */
export const timestampMs = (name: string) => timestamp(name, { withTimezone: true, precision: 3 })

export const timestamps = {
  createdAt: timestampMs('created_at').notNull().defaultNow(),
  updatedAt: timestampMs('updated_at').notNull().defaultNow(),
}

/** `(select auth.uid())`: evaluated once per statement instead of once per row. */
export const currentUserId = sql`(select auth.uid())`

export const isAdmin = sql`(select public.is_admin())`
