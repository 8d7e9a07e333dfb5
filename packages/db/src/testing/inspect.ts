import { budgetReservations, messageEmbeddings, messages, usageEvents } from '@parley/schema/tables'
import { asc, eq, inArray, sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { executedRows } from '../json-row.ts'
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
  /** The embedding model stored for each of these messages that has an embedding, by id. */
  async embeddedModels(db: Database, messageIds: string[]): Promise<Record<string, string>> {
    const rows = await db.asService((tx) =>
      tx
        .select({ messageId: messageEmbeddings.messageId, model: messageEmbeddings.model })
        .from(messageEmbeddings)
        .where(inArray(messageEmbeddings.messageId, messageIds)),
    )
    return Object.fromEntries(rows.map((row) => [row.messageId, row.model]))
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
  /**
   * Where the daily rollups of these users disagree with sums over their usage rows, per key
   * (user, day, model, provider; and conversation, day): empty when they agree.
   */
  async rollupMismatches(db: Database, userIds: readonly string[]): Promise<unknown[]> {
    const ids = sql`array[${sql.join(
      userIds.map((id) => sql`${id}::uuid`),
      sql`, `,
    )}]::uuid[]`
    return executedRows(
      await db.asService((tx) =>
        tx.execute(sql`
          with ledger as (
            select user_id, (created_at at time zone 'UTC')::date as day, model, provider,
              count(*) as requests, sum(cost_micro_usd) as cost, sum(input_tokens) as input,
              sum(output_tokens) as output, count(*) filter (where status = 'error') as errors
            from public.usage_events where user_id = any(${ids})
            group by 1, 2, 3, 4
          ),
          rollup as (
            select user_id, day, model, provider, requests, cost_micro_usd as cost,
              input_tokens as input, output_tokens as output, errors
            from public.usage_daily where user_id = any(${ids})
          ),
          by_conversation as (
            select conversation_id, (created_at at time zone 'UTC')::date as day,
              count(*) as requests, sum(cost_micro_usd) as cost
            from public.usage_events
            where user_id = any(${ids}) and conversation_id is not null
            group by 1, 2
          ),
          conversation_rollup as (
            select conversation_id, day, requests, cost_micro_usd as cost
            from public.usage_daily_conversations where user_id = any(${ids})
          )
          select 'daily' as rollup, to_jsonb(l) as ledger, to_jsonb(r) as rolled
          from ledger l full join rollup r using (user_id, day, model, provider)
          where (l.requests, l.cost, l.input, l.output, l.errors)
            is distinct from (r.requests, r.cost, r.input, r.output, r.errors)
          union all
          select 'conversations', to_jsonb(l), to_jsonb(r)
          from by_conversation l full join conversation_rollup r using (conversation_id, day)
          where (l.requests, l.cost) is distinct from (r.requests, r.cost)`),
      ),
    )
  },
  /** Makes every budget reservation of a user look `seconds` old, as if their turns had died. */
  async ageReservationsOf(db: Database, userId: string, seconds: number): Promise<void> {
    await db.asService((tx) =>
      tx
        .update(budgetReservations)
        .set({ createdAt: sql`now() - make_interval(secs => ${seconds})` })
        .where(eq(budgetReservations.userId, userId)),
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
