import {
  type FeedbackByModel,
  type Page,
  type PutFeedbackBody,
  putFeedbackBody,
  type RecentFeedbackQuery,
  recentFeedbackQuery,
  uuid,
} from '@parley/schema/contracts'
import { messageFeedback } from '@parley/schema/tables'
import { and, desc, eq, sql } from 'drizzle-orm'
import type { Tx } from '../client.ts'
import { decodeCursor, pageFrom, timeAndIdCursor } from '../cursor.ts'
import { parseInput } from '../errors.ts'
import { getMessage } from './messages.ts'

export type MessageFeedbackRow = typeof messageFeedback.$inferSelect

/**
 * Sets or changes the caller's vote on one of their replies. Null when the message is not a
 * reply of theirs (another user's is simply invisible). An empty comment is stored as none.
 */
export async function setFeedback(
  tx: Tx,
  messageId: string,
  input: PutFeedbackBody,
): Promise<MessageFeedbackRow | null> {
  const id = parseInput(uuid, messageId)
  const { vote, reasons = [], comment } = parseInput(putFeedbackBody, input)
  const message = await getMessage(tx, id)
  if (message?.role !== 'assistant') return null
  const values = { vote, reasons, comment: comment?.trim() || null }
  const [row] = await tx
    .insert(messageFeedback)
    .values({ messageId: id, ...values })
    .onConflictDoUpdate({ target: messageFeedback.messageId, set: values })
    .returning()
  return row ?? null
}

/** Clears the caller's vote; false when there was none to clear. */
export async function clearFeedback(tx: Tx, messageId: string): Promise<boolean> {
  const rows = await tx
    .delete(messageFeedback)
    .where(eq(messageFeedback.messageId, parseInput(uuid, messageId)))
    .returning({ messageId: messageFeedback.messageId })
  return rows.length > 0
}

/**
 * Up and down votes per model. Under RLS an admin counts everyone's votes, anyone else their own.
 */
export async function feedbackByModel(tx: Tx): Promise<FeedbackByModel['items']> {
  const rows = await tx
    .select({
      model: messageFeedback.model,
      up: sql<number | string>`count(*) filter (where ${messageFeedback.vote} = 'up')`,
      down: sql<number | string>`count(*) filter (where ${messageFeedback.vote} = 'down')`,
    })
    .from(messageFeedback)
    .groupBy(messageFeedback.model)
    .orderBy(messageFeedback.model)
  // Counts are bigint in SQL; postgres.js returns them as strings, PGlite as numbers.
  return rows.map((row) => ({ model: row.model, up: Number(row.up), down: Number(row.down) }))
}

/**
 * The newest votes first, a page at a time. Under RLS an admin reads everyone's, anyone else only
 * their own; the message itself is never joined, so no one's text is read here.
 */
export async function listRecentFeedback(
  tx: Tx,
  query: RecentFeedbackQuery = {},
): Promise<Page<MessageFeedbackRow>> {
  const { limit, cursor, vote } = parseInput(recentFeedbackQuery, query)
  const after = cursor ? decodeCursor(cursor, timeAndIdCursor) : undefined
  const rows = await tx
    .select()
    .from(messageFeedback)
    .where(
      and(
        vote ? eq(messageFeedback.vote, vote) : undefined,
        after
          ? sql`(${messageFeedback.updatedAt}, ${messageFeedback.messageId}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(messageFeedback.updatedAt), desc(messageFeedback.messageId))
    .limit(limit + 1)
  return pageFrom(rows, limit, (last) => [last.updatedAt.toISOString(), last.messageId])
}
