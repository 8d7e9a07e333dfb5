import {
  type ConversationTotalsDelta,
  type CreateConversationBody,
  conversationTotalsDelta,
  createConversationBody,
  type Page,
  type PageQuery,
  pageQuery,
  type UpdateConversationBody,
  updateConversationBody,
  uuid,
} from '@parley/schema/contracts'
import { conversations } from '@parley/schema/tables'
import { and, desc, eq, getTableColumns, isNotNull, isNull, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Tx } from '../client.ts'
import { decodeCursor, encodeCursor, timeAndIdCursor } from '../cursor.ts'
import { parseInput } from '../errors.ts'

export type ConversationRow = typeof conversations.$inferSelect

// Row-level security already hides other users' rows; saying so in the query lets the planner
// use the (user_id, last_message_at, id) index.
const ownedByCaller = eq(conversations.userId, sql`(select auth.uid())`)

export async function createConversation(
  tx: Tx,
  input: CreateConversationBody = {},
): Promise<ConversationRow> {
  const values = parseInput(createConversationBody, input)
  const [row] = await tx.insert(conversations).values(values).returning()
  if (!row) throw new Error('insert returned no row')
  return row
}

/** The caller's conversation, or null when it does not exist or belongs to someone else. */
export async function getConversation(tx: Tx, id: string): Promise<ConversationRow | null> {
  const conversationId = parseInput(uuid, id)
  const [row] = await tx
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, conversationId), ownedByCaller))
  return row ?? null
}

export async function updateConversation(
  tx: Tx,
  id: string,
  patch: UpdateConversationBody,
): Promise<ConversationRow | null> {
  const conversationId = parseInput(uuid, id)
  const { archived, ...rest } = parseInput(updateConversationBody, patch)
  const [row] = await tx
    .update(conversations)
    .set({
      ...rest,
      ...(archived === undefined ? {} : { archivedAt: archived ? sql`now()` : null }),
    })
    .where(and(eq(conversations.id, conversationId), ownedByCaller))
    .returning()
  return row ?? null
}

/** Deletes the conversation and, by cascade, its messages. False when there was nothing to delete. */
export async function deleteConversation(tx: Tx, id: string): Promise<boolean> {
  const conversationId = parseInput(uuid, id)
  const rows = await tx
    .delete(conversations)
    .where(and(eq(conversations.id, conversationId), ownedByCaller))
    .returning({ id: conversations.id })
  return rows.length > 0
}

const listQuery = pageQuery.extend({ archived: z.boolean().default(false) })

/** The caller's conversations, most recently active first. */
export async function listConversations(
  tx: Tx,
  query: PageQuery & { archived?: boolean } = {},
): Promise<Page<ConversationRow>> {
  const { limit, cursor, archived } = parseInput(listQuery, query)
  const after = cursor ? decodeCursor(cursor, timeAndIdCursor) : undefined
  const rows = await tx
    .select()
    .from(conversations)
    .where(
      and(
        ownedByCaller,
        archived ? isNotNull(conversations.archivedAt) : isNull(conversations.archivedAt),
        after
          ? sql`(${conversations.lastMessageAt}, ${conversations.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
    .limit(limit + 1)
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return {
    items,
    nextCursor:
      rows.length > limit && last
        ? encodeCursor([last.lastMessageAt.toISOString(), last.id])
        : null,
  }
}

export interface TurnOpening {
  conversation: ConversationRow
  /** The newest message: where the thread ends before this turn. */
  latestMessageId: string | null
  /** The caller's profile fields a turn needs (name for the system prompt, default model). */
  profile: { displayName: string | null; defaultModel: string | null; email: string | null }
}

/**
 * Starts a turn in one statement: marks the conversation active (it moves to the top of the
 * list) and returns it with the thread's newest message and the caller's profile. Null when the
 * conversation does not exist or is someone else's.
 */
export async function openConversationTurn(tx: Tx, id: string): Promise<TurnOpening | null> {
  const conversationId = parseInput(uuid, id)
  const [row] = await tx
    .update(conversations)
    .set({ lastMessageAt: sql`now()` })
    .where(and(eq(conversations.id, conversationId), ownedByCaller))
    // Column references are spelled out: in RETURNING, Drizzle renders them unqualified.
    .returning({
      ...getTableColumns(conversations),
      latestMessageId: sql<string | null>`(
        select m.id from public.messages m
        where m.conversation_id = conversations.id
        order by m.seq desc limit 1)`,
      profile: sql<TurnOpening['profile'] | null>`(
        select json_build_object(
          'displayName', p.display_name, 'defaultModel', p.default_model, 'email', p.email)
        from public.profiles p where p.id = conversations.user_id)`,
    })
  if (!row) return null
  const { latestMessageId, profile, ...conversation } = row
  return {
    conversation,
    latestMessageId,
    profile: profile ?? { displayName: null, defaultModel: null, email: null },
  }
}

/** Adds a finished turn's tokens and cost to the conversation's running totals. */
export async function addConversationTotals(
  tx: Tx,
  id: string,
  delta: ConversationTotalsDelta,
): Promise<ConversationRow | null> {
  const conversationId = parseInput(uuid, id)
  const { inputTokens, outputTokens, costMicroUsd } = parseInput(conversationTotalsDelta, delta)
  const [row] = await tx
    .update(conversations)
    .set({
      inputTokens: sql`${conversations.inputTokens} + ${inputTokens}`,
      outputTokens: sql`${conversations.outputTokens} + ${outputTokens}`,
      costMicroUsd: sql`${conversations.costMicroUsd} + ${costMicroUsd}`,
      lastMessageAt: sql`now()`,
    })
    .where(and(eq(conversations.id, conversationId), ownedByCaller))
    .returning()
  return row ?? null
}

/** Sets a generated title unless the conversation already has one (a rename wins). */
export async function setGeneratedTitle(
  tx: Tx,
  id: string,
  title: string,
): Promise<ConversationRow | null> {
  const conversationId = parseInput(uuid, id)
  const value = parseInput(z.string().trim().min(1).max(200), title)
  const [row] = await tx
    .update(conversations)
    .set({ title: value })
    .where(and(eq(conversations.id, conversationId), ownedByCaller, isNull(conversations.title)))
    .returning()
  return row ?? null
}
