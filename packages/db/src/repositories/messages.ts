import {
  type Citation,
  citation,
  type ListMessagesQuery,
  listMessagesQuery,
  type MessageUpdate,
  messageUpdate,
  type NewMessage,
  newMessage,
  type OwnFeedback,
  type Page,
  uuid,
} from '@parley/schema/contracts'
import { conversations, messageFeedback, messages } from '@parley/schema/tables'
import { and, asc, desc, eq, getTableColumns, inArray, isNull, or, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Tx } from '../client.ts'
import { decodeCursor, encodeCursor } from '../cursor.ts'
import { DbError, parseInput } from '../errors.ts'

export type MessageRow = typeof messages.$inferSelect
/**
 * A message as the thread shows it: with the caller's vote when it is a reply they rated, and
 * the ids of its siblings (itself included, oldest first) for moving between branches.
 */
export type ThreadMessageRow = MessageRow & { feedback: OwnFeedback | null; siblingIds: string[] }

export interface AppendResult {
  message: MessageRow
  /** False when a message with this id already existed: the append was a retry. */
  created: boolean
}

/**
 * Appends a message. A caller-supplied id is an idempotency key: appending the same id again
 * returns the stored message instead of a second one. The same id in another conversation, or
 * one owned by someone else, is a conflict.
 */
export async function appendMessage(tx: Tx, input: NewMessage): Promise<AppendResult> {
  const values = parseInput(newMessage, input)
  const [inserted] = await tx
    .insert(messages)
    .values(values)
    .onConflictDoNothing({ target: messages.id })
    .returning()
  if (inserted) return { message: inserted, created: true }

  const existing = values.id ? await getMessage(tx, values.id) : null
  if (
    !existing ||
    existing.conversationId !== values.conversationId ||
    existing.role !== values.role
  ) {
    throw new DbError('conflict', 'id: a different message already uses this id')
  }
  return { message: existing, created: false }
}

export async function getMessage(tx: Tx, id: string): Promise<MessageRow | null> {
  const [row] = await tx
    .select()
    .from(messages)
    .where(eq(messages.id, parseInput(uuid, id)))
  return row ?? null
}

/** The newest message of the conversation: the end of its active thread. */
export async function getLatestMessage(tx: Tx, conversationId: string): Promise<MessageRow | null> {
  const [row] = await tx
    .select()
    .from(messages)
    .where(eq(messages.conversationId, parseInput(uuid, conversationId)))
    .orderBy(desc(messages.seq))
    .limit(1)
  return row ?? null
}

/**
 * Where the shown thread ends: the conversation's active leaf, or its newest message when it has
 * none (older conversations, or a leaf that was deleted).
 */
export async function threadEnd(tx: Tx, conversationId: string): Promise<string | null> {
  const [row] = await tx
    .select({ id: conversations.activeLeafId })
    .from(conversations)
    .where(eq(conversations.id, conversationId))
  return row?.id ?? (await getLatestMessage(tx, conversationId))?.id ?? null
}

/** The ids of every child of each parent in `parentIds` (null: the first messages), oldest first. */
async function childrenOf(
  tx: Tx,
  conversationId: string,
  parentIds: (string | null)[],
): Promise<Map<string | null, string[]>> {
  const ids = parentIds.filter((id): id is string => id !== null)
  const rows = await tx
    .select({ id: messages.id, parentId: messages.parentId })
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, conversationId),
        or(
          ids.length > 0 ? inArray(messages.parentId, ids) : sql`false`,
          parentIds.includes(null) ? isNull(messages.parentId) : sql`false`,
        ),
      ),
    )
    .orderBy(asc(messages.seq))
  const children = new Map<string | null, string[]>()
  for (const row of rows) {
    const list = children.get(row.parentId) ?? []
    list.push(row.id)
    children.set(row.parentId, list)
  }
  return children
}

/**
 * Ids on the path from `fromId` towards the root, at most `maxMessages` of them, stopping once
 * the tokens collected reach `maxTokens` (the message that crosses the limit is included).
 */
export function threadIds(
  conversationId: string,
  fromId: string,
  maxMessages: number,
  maxTokens: number,
) {
  return sql`(
    with recursive thread (id, parent_id, depth, tokens) as (
      select m.id, m.parent_id, 1, m.token_count::bigint
      from public.messages m
      where m.id = ${fromId}::uuid and m.conversation_id = ${conversationId}::uuid
      union all
      select p.id, p.parent_id, t.depth + 1, t.tokens + p.token_count
      from thread t
      join public.messages p on p.id = t.parent_id
      where t.depth < ${maxMessages}::int and t.tokens < ${maxTokens}::bigint
    )
    select id from thread
  )`
}

const threadCursor = z.tuple([z.uuid()])

/**
 * One page of the conversation's shown thread (the path that ends at its active leaf, or at its
 * newest message), oldest first. Edits and regenerations are siblings: all stay stored, and each
 * message lists its siblings' ids.
 */
export async function listThread(
  tx: Tx,
  conversationId: string,
  query: ListMessagesQuery = {},
): Promise<Page<ThreadMessageRow>> {
  const id = parseInput(uuid, conversationId)
  const { limit, before } = parseInput(listMessagesQuery, query)
  const from = before ? decodeCursor(before, threadCursor)[0] : await threadEnd(tx, id)
  if (!from) return { items: [], nextCursor: null }

  const rows = await tx
    .select({
      ...getTableColumns(messages),
      vote: messageFeedback.vote,
      reasons: messageFeedback.reasons,
      comment: messageFeedback.comment,
    })
    .from(messages)
    .leftJoin(messageFeedback, eq(messageFeedback.messageId, messages.id))
    .where(
      and(
        eq(messages.conversationId, id),
        inArray(messages.id, threadIds(id, from, limit + 1, Number.MAX_SAFE_INTEGER)),
      ),
    )
    .orderBy(desc(messages.seq))
  const shown = rows.slice(0, limit).reverse()
  const siblings = await childrenOf(
    tx,
    id,
    shown.map((row) => row.parentId),
  )
  const page = shown.map(({ vote, reasons, comment, ...message }) => ({
    ...message,
    feedback: vote ? { vote, reasons: reasons ?? [], comment } : null,
    siblingIds: siblings.get(message.parentId) ?? [message.id],
  }))
  const older = rows[limit]
  return { items: page, nextCursor: older ? encodeCursor([older.id]) : null }
}

export type ContextMessage = Pick<MessageRow, 'id' | 'role' | 'content' | 'tokenCount' | 'status'>

/**
 * The thread ending at `fromId`, oldest first, as much of it as could fit in `maxTokens`
 * (using each message's cached token count), for building a model's context.
 */
export async function loadContextThread(
  tx: Tx,
  conversationId: string,
  fromId: string,
  { maxTokens, maxMessages = 10_000 }: { maxTokens: number; maxMessages?: number },
): Promise<ContextMessage[]> {
  const id = parseInput(uuid, conversationId)
  const from = parseInput(uuid, fromId)
  const rows = await tx
    .select({
      id: messages.id,
      role: messages.role,
      content: messages.content,
      tokenCount: messages.tokenCount,
      status: messages.status,
    })
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, id),
        inArray(messages.id, threadIds(id, from, maxMessages, maxTokens)),
      ),
    )
    .orderBy(messages.seq)
  return rows
}

/** Writes progress or the outcome of a message; null when it is not the caller's. */
export async function updateMessage(
  tx: Tx,
  id: string,
  patch: MessageUpdate,
): Promise<MessageRow | null> {
  const values = parseInput(messageUpdate, patch)
  const [row] = await tx
    .update(messages)
    .set(values)
    .where(eq(messages.id, parseInput(uuid, id)))
    .returning()
  return row ?? null
}

/**
 * Replies left `streaming` by a server that stopped mid-reply: kept with what was written
 * (`incomplete`), or `error` when nothing was. Returns how many were closed. A system job.
 */
export async function closeInterruptedReplies(
  tx: Tx,
  { idleSeconds }: { idleSeconds: number },
): Promise<number> {
  const rows = await tx
    .update(messages)
    .set({
      status: sql`case when ${messages.content} = '' then 'error' else 'incomplete' end`,
      error: { code: 'interrupted', message: 'The server restarted before the reply was finished' },
    })
    .where(
      and(
        eq(messages.status, 'streaming'),
        sql`${messages.updatedAt} <= now() - make_interval(secs => ${idleSeconds})`,
      ),
    )
    .returning({ id: messages.id })
  return rows.length
}

const citationList = z.array(citation).max(50)

/**
 * Stores the passages a reply cites. Call it in the transaction that settles the reply, so the
 * reply and its citations are written together. Null when the reply is not the caller's.
 */
export async function setReplyCitations(
  tx: Tx,
  messageId: string,
  citations: Citation[],
): Promise<MessageRow | null> {
  const id = parseInput(uuid, messageId)
  const values = parseInput(citationList, citations)
  const [row] = await tx
    .update(messages)
    .set({ citations: values })
    .where(and(eq(messages.id, id), eq(messages.role, 'assistant')))
    .returning()
  return row ?? null
}
