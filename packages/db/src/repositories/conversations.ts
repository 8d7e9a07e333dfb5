import {
  type CreateConversationBody,
  createConversationBody,
  type FileScope,
  fileScope,
  type Page,
  type PageQuery,
  pageQuery,
  type UpdateConversationBody,
  updateConversationBody,
  uuid,
} from '@parley/schema/contracts'
import { conversations, files } from '@parley/schema/tables'
import { and, desc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Tx } from '../client.ts'
import { decodeCursor, pageFrom, timeAndIdCursor } from '../cursor.ts'
import { DbError, parseInput } from '../errors.ts'

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
  return pageFrom(rows, limit, (last) => [last.lastMessageAt.toISOString(), last.id])
}

/**
 * Claims the one title request a conversation gets: true for the first caller while it is
 * untitled, false ever after (also when the request failed), so no turn pays for it twice.
 */
export async function claimTitleRequest(tx: Tx, id: string): Promise<boolean> {
  const conversationId = parseInput(uuid, id)
  const claimed = await tx
    .update(conversations)
    .set({ titleRequestedAt: sql`now()` })
    .where(
      and(
        eq(conversations.id, conversationId),
        ownedByCaller,
        isNull(conversations.title),
        isNull(conversations.titleRequestedAt),
      ),
    )
    .returning({ id: conversations.id })
  return claimed.length > 0
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

/**
 * Shows the branch through `messageId`: the conversation's active leaf becomes the newest message
 * under it (itself when it has no replies). Returns that leaf, or null when the conversation or
 * the message is not the caller's.
 */
export async function switchBranch(
  tx: Tx,
  conversationId: string,
  messageId: string,
): Promise<string | null> {
  const id = parseInput(uuid, conversationId)
  const from = parseInput(uuid, messageId)
  const [row] = await tx
    .update(conversations)
    .set({
      activeLeafId: sql`(
        with recursive branch (id, seq) as (
          select m.id, m.seq from public.messages m
          where m.id = ${from}::uuid and m.conversation_id = ${id}::uuid
          union all
          select m.id, m.seq from public.messages m join branch b on m.parent_id = b.id
        )
        select id from branch order by seq desc limit 1
      )`,
    })
    .where(
      and(
        eq(conversations.id, id),
        sql`exists (select 1 from public.messages m where m.id = ${from}::uuid and m.conversation_id = ${id}::uuid)`,
      ),
    )
    .returning({ activeLeafId: conversations.activeLeafId })
  return row?.activeLeafId ?? null
}

/**
 * Sets which of the caller's files the conversation's turns read from. Refuses, with
 * `DbError('invalid_input')`, file ids that are not the caller's (without saying whether they
 * exist). Null when the conversation is not the caller's.
 */
export async function setFileScope(
  tx: Tx,
  id: string,
  scope: FileScope,
): Promise<ConversationRow | null> {
  const conversationId = parseInput(uuid, id)
  const value = parseInput(fileScope, scope)
  if (value.mode === 'files') {
    const wanted = [...new Set(value.fileIds)]
    const found = await tx
      .select({ id: files.id })
      .from(files)
      .where(and(inArray(files.id, wanted), eq(files.userId, sql`(select auth.uid())`)))
    if (found.length < wanted.length) {
      const known = new Set(found.map((file) => file.id))
      const missing = wanted.filter((fileId) => !known.has(fileId))
      throw new DbError('invalid_input', `fileIds: no such file: ${missing.join(', ')}`)
    }
    value.fileIds = wanted
  }
  const [row] = await tx
    .update(conversations)
    .set({ fileScope: value })
    .where(and(eq(conversations.id, conversationId), ownedByCaller))
    .returning()
  return row ?? null
}
