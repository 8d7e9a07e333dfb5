import { randomBytes } from 'node:crypto'
import { type CreateShareBody, createShareBody, uuid } from '@parley/schema/contracts'
import { conversationShares, messages, type SnapshotMessage } from '@parley/schema/tables'
import { and, asc, desc, eq, getTableColumns, inArray, ne, sql } from 'drizzle-orm'
import type { Tx } from '../client.ts'
import { DbError, parseInput } from '../errors.ts'
import { executedRows } from '../json-row.ts'
import { getConversation } from './conversations.ts'
import { getMessage, threadEnd, threadIds } from './messages.ts'

export type ShareRow = typeof conversationShares.$inferSelect
/** A share as its owner lists it: everything but the snapshot itself. */
export type ShareSummary = Omit<ShareRow, 'snapshot'>

/** What the public may read of a share, by its id alone. */
export type PublicShare =
  | {
      status: 'live'
      id: string
      title: string | null
      createdAt: string
      messages: SnapshotMessage[]
    }
  | { status: 'revoked' }

const { snapshot: _snapshot, ...summaryColumns } = getTableColumns(conversationShares)

/** Longer than any conversation the message quota allows. */
const maxSharedMessages = 1_000_000

/** 144 random bits, base64url: 24 characters no one can guess or enumerate. */
export function newShareId(): string {
  return randomBytes(18).toString('base64url')
}

/**
 * Shares the caller's conversation up to `messageId` (default: the end of the shown thread):
 * the thread from the first message to it is copied now, so later edits and messages never
 * reach the link. Null when the conversation is not the caller's; `not_found` for a message
 * outside it; `conflict` when there is nothing to share yet.
 */
export async function createShare(
  tx: Tx,
  conversationId: string,
  input: CreateShareBody = {},
): Promise<ShareSummary | null> {
  const id = parseInput(uuid, conversationId)
  const { messageId } = parseInput(createShareBody, input)
  const conversation = await getConversation(tx, id)
  if (!conversation) return null
  if (messageId) {
    const message = await getMessage(tx, messageId)
    if (message?.conversationId !== id) throw new DbError('not_found', 'message not found')
  }
  const end = messageId ?? (await threadEnd(tx, id))
  if (!end) throw new DbError('conflict', 'the conversation has no messages to share yet')

  const thread = await tx
    .select({
      role: messages.role,
      content: messages.content,
      model: messages.model,
      createdAt: messages.createdAt,
    })
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, id),
        inArray(messages.id, threadIds(id, end, maxSharedMessages, Number.MAX_SAFE_INTEGER)),
        inArray(messages.role, ['user', 'assistant']),
        // A reply still being written is not part of what was said yet.
        ne(messages.status, 'streaming'),
      ),
    )
    .orderBy(asc(messages.seq))
  const snapshot: SnapshotMessage[] = thread.map((message) => ({
    role: message.role === 'user' ? 'user' : 'assistant',
    content: message.content,
    model: message.role === 'assistant' ? message.model : null,
    createdAt: message.createdAt.toISOString(),
  }))
  const [row] = await tx
    .insert(conversationShares)
    .values({
      id: newShareId(),
      conversationId: id,
      messageId: end,
      title: conversation.title,
      snapshot,
      messageCount: snapshot.length,
    })
    .returning(summaryColumns)
  return row ?? null
}

/** The caller's links to one of their conversations, newest first; null when it is not theirs. */
export async function listShares(tx: Tx, conversationId: string): Promise<ShareSummary[] | null> {
  const id = parseInput(uuid, conversationId)
  if (!(await getConversation(tx, id))) return null
  return tx
    .select(summaryColumns)
    .from(conversationShares)
    .where(eq(conversationShares.conversationId, id))
    .orderBy(desc(conversationShares.createdAt), desc(conversationShares.id))
}

/**
 * Revokes one of the caller's links for good (revoking again keeps the first time); null when
 * there is no such link of theirs.
 */
export async function revokeShare(tx: Tx, shareId: string): Promise<ShareSummary | null> {
  const [row] = await tx
    .update(conversationShares)
    .set({ revokedAt: sql`coalesce(${conversationShares.revokedAt}, now())` })
    .where(eq(conversationShares.id, shareId))
    .returning(summaryColumns)
  return row ?? null
}

/**
 * A share by its id through `public.read_share`, the only path the public has to it: the
 * snapshot, or that it was revoked, or null for an id no link has.
 */
export async function readShare(tx: Tx, shareId: string): Promise<PublicShare | null> {
  const [row] = executedRows<{ share: PublicShare | null }>(
    await tx.execute(sql`select public.read_share(${shareId}) as share`),
  )
  return row?.share ?? null
}
