import { budgetReservations, messages, usageEvents } from '@parley/schema/tables'
import { asc, eq, sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import type { MessageRow } from '../repositories/messages.ts'
import type { UsageEventRow } from '../repositories/usage-events.ts'

/** Reads rows as the service, for tests that check what a request stored. */
export const inspect = {
  messages(db: Database, conversationId: string): Promise<MessageRow[]> {
    return db.asService((tx) =>
      tx
        .select()
        .from(messages)
        .where(eq(messages.conversationId, conversationId))
        .orderBy(asc(messages.seq)),
    )
  },
  usageOfMessage(db: Database, messageId: string): Promise<UsageEventRow[]> {
    return db.asService((tx) =>
      tx.select().from(usageEvents).where(eq(usageEvents.messageId, messageId)),
    )
  },
  async usageEvent(db: Database, id: string): Promise<UsageEventRow | undefined> {
    const [row] = await db.asService((tx) =>
      tx.select().from(usageEvents).where(eq(usageEvents.id, id)),
    )
    return row
  },
  usageOfConversation(db: Database, conversationId: string): Promise<UsageEventRow[]> {
    return db.asService((tx) =>
      tx
        .select()
        .from(usageEvents)
        .where(eq(usageEvents.conversationId, conversationId))
        .orderBy(asc(usageEvents.createdAt)),
    )
  },
  usageOfUser(db: Database, userId: string): Promise<UsageEventRow[]> {
    return db.asService((tx) =>
      tx
        .select()
        .from(usageEvents)
        .where(eq(usageEvents.userId, userId))
        .orderBy(asc(usageEvents.createdAt)),
    )
  },
  /** Makes a budget reservation look `seconds` old, as if its turn had died that long ago. */
  async ageReservation(db: Database, reservationId: string, seconds: number): Promise<void> {
    await db.asService((tx) =>
      tx
        .update(budgetReservations)
        .set({ createdAt: sql`now() - make_interval(secs => ${seconds})` })
        .where(eq(budgetReservations.id, reservationId)),
    )
  },
}
