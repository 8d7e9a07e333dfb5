import { randomUUID } from 'node:crypto'
import {
  type ConversationExport,
  type ConversationExportInput,
  conversationExport,
  conversationExportFormat,
  type ExportedMessage,
  type UserDataExport,
  userDataExportFormat,
} from '@parley/schema/contracts'
import { conversations, messageFeedback, messages, usageEvents } from '@parley/schema/tables'
import { asc, desc, eq, sql } from 'drizzle-orm'
import type { Tx } from '../client.ts'
import { parseInput } from '../errors.ts'
import { type ConversationRow, getConversation } from './conversations.ts'
import type { MessageRow } from './messages.ts'
import { getOwnProfile } from './profiles.ts'

const caller = sql`(select auth.uid())`

/** Messages of one insert statement: well under Postgres's 65,535 bind parameters. */
const insertBatch = 500

function toExportedMessage(row: MessageRow): ExportedMessage {
  return {
    id: row.id,
    parentId: row.parentId,
    role: row.role,
    content: row.content,
    model: row.model,
    provider: row.provider,
    status: row.status,
    error: row.error ?? null,
    createdAt: row.createdAt.toISOString(),
  }
}

function toDocument(conversation: ConversationRow, rows: MessageRow[]): ConversationExport {
  return {
    format: conversationExportFormat,
    version: 1,
    exportedAt: new Date().toISOString(),
    conversation: {
      title: conversation.title,
      systemPrompt: conversation.systemPrompt,
      temperature: conversation.temperature,
      model: conversation.model,
      createdAt: conversation.createdAt.toISOString(),
      activeLeafId: conversation.activeLeafId ?? rows.at(-1)?.id ?? null,
    },
    messages: rows.map(toExportedMessage),
  }
}

/**
 * The caller's conversation with every message of every branch, in the order they were written;
 * null when it does not exist or belongs to someone else.
 */
export async function exportConversation(
  tx: Tx,
  conversationId: string,
): Promise<ConversationExport | null> {
  const conversation = await getConversation(tx, conversationId)
  if (!conversation) return null
  const rows = await tx
    .select()
    .from(messages)
    .where(eq(messages.conversationId, conversation.id))
    .orderBy(asc(messages.seq))
  return toDocument(conversation, rows)
}

/**
 * The messages of the branch a document shows: from its first message down to its active leaf
 * (or its last message when it names none).
 */
export function activePath(doc: ConversationExport): ExportedMessage[] {
  const byId = new Map(doc.messages.map((message) => [message.id, message]))
  const path: ExportedMessage[] = []
  let current = byId.get(doc.conversation.activeLeafId ?? doc.messages.at(-1)?.id ?? '')
  while (current && path.length < byId.size) {
    path.push(current)
    current = current.parentId === null ? undefined : byId.get(current.parentId)
  }
  return path.reverse()
}

/** The document's messages with every parent before its children, otherwise in document order. */
function parentsFirst(list: ExportedMessage[]): ExportedMessage[] {
  const byId = new Map(list.map((message) => [message.id, message]))
  const placed = new Set<string>()
  const ordered: ExportedMessage[] = []
  for (const message of list) {
    const pending: ExportedMessage[] = []
    for (
      let current: ExportedMessage | undefined = message;
      current && !placed.has(current.id);
      current = current.parentId === null ? undefined : byId.get(current.parentId)
    ) {
      pending.push(current)
      placed.add(current.id)
    }
    ordered.push(...pending.reverse())
  }
  return ordered
}

/**
 * Creates a new conversation of the caller from an export document: fresh ids, parent links and
 * the active branch remapped, replies that were still streaming kept as incomplete. Ids and
 * owners in the document are never used. `tokenCount` gives each message's cached token count.
 * Quotas apply as to any write; run it in one transaction so a refused document leaves nothing.
 */
export async function importConversation(
  tx: Tx,
  input: ConversationExportInput,
  tokenCount: (content: string) => number,
): Promise<ConversationRow> {
  const doc = parseInput(conversationExport, input)
  const { title, systemPrompt, temperature, model } = doc.conversation
  const [created] = await tx
    .insert(conversations)
    .values({ title, systemPrompt, temperature, model })
    .returning()
  if (!created) throw new Error('insert returned no row')

  const newIds = new Map(doc.messages.map((message) => [message.id, randomUUID()]))
  const newId = (id: string) => {
    const mapped = newIds.get(id)
    if (!mapped) throw new Error('the document was checked: every id is mapped')
    return mapped
  }
  const rows = parentsFirst(doc.messages).map((message) => ({
    id: newId(message.id),
    conversationId: created.id,
    parentId: message.parentId === null ? null : newId(message.parentId),
    role: message.role,
    content: message.content,
    status: message.status === 'streaming' ? ('incomplete' as const) : message.status,
    model: message.model,
    provider: message.provider,
    error: message.error,
    tokenCount: tokenCount(message.content),
    createdAt: new Date(message.createdAt),
  }))
  for (let start = 0; start < rows.length; start += insertBatch) {
    await tx.insert(messages).values(rows.slice(start, start + insertBatch))
  }

  const leaf = doc.conversation.activeLeafId ?? doc.messages.at(-1)?.id
  if (!leaf) return created
  const [updated] = await tx
    .update(conversations)
    .set({ activeLeafId: newId(leaf) })
    .where(eq(conversations.id, created.id))
    .returning()
  return updated ?? created
}

/**
 * Everything kept about the caller: profile, custom instructions, every conversation with all
 * its messages, their votes and their usage rows. Every query names the caller as owner, so an
 * admin (whom some policies let read everyone's rows) exports only their own.
 */
export async function exportUserData(tx: Tx): Promise<UserDataExport | null> {
  const profile = await getOwnProfile(tx)
  if (!profile) return null
  const conversationRows = await tx
    .select()
    .from(conversations)
    .where(eq(conversations.userId, caller))
    .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
  const messageRows = await tx
    .select()
    .from(messages)
    .where(eq(messages.userId, caller))
    .orderBy(asc(messages.seq))
  const byConversation = new Map<string, MessageRow[]>()
  for (const row of messageRows) {
    const list = byConversation.get(row.conversationId) ?? []
    list.push(row)
    byConversation.set(row.conversationId, list)
  }
  const feedbackRows = await tx
    .select()
    .from(messageFeedback)
    .where(eq(messageFeedback.userId, caller))
    .orderBy(asc(messageFeedback.createdAt))
  const usageRows = await tx
    .select()
    .from(usageEvents)
    .where(eq(usageEvents.userId, caller))
    .orderBy(asc(usageEvents.createdAt))

  return {
    format: userDataExportFormat,
    version: 1,
    exportedAt: new Date().toISOString(),
    profile: {
      email: profile.email,
      displayName: profile.displayName,
      defaultModel: profile.defaultModel,
      theme: profile.theme,
      settings: profile.settings,
      createdAt: profile.createdAt.toISOString(),
    },
    customInstructions: { aboutMe: profile.aboutMe, replyStyle: profile.replyStyle },
    conversations: conversationRows.map((conversation) => ({
      id: conversation.id,
      ...toDocument(conversation, byConversation.get(conversation.id) ?? []),
    })),
    feedback: feedbackRows.map((row) => ({
      messageId: row.messageId,
      vote: row.vote,
      reasons: row.reasons,
      comment: row.comment,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    })),
    usageEvents: usageRows.map((row) => ({
      conversationId: row.conversationId,
      messageId: row.messageId,
      provider: row.provider,
      model: row.model,
      inputTokens: row.inputTokens,
      outputTokens: row.outputTokens,
      cachedInputTokens: row.cachedInputTokens,
      costMicroUsd: row.costMicroUsd,
      status: row.status,
      createdAt: row.createdAt.toISOString(),
    })),
  }
}
