import { z } from 'zod'
import { maxStoredMessageChars } from '../limits.ts'
import { messageRoles, messageStatuses } from '../tables/messages.ts'
import { themes } from '../tables/profiles.ts'
import { usageStatuses } from '../tables/usage-events.ts'
import { isoDateTime, modelId } from './common.ts'
import { ownFeedback } from './feedback.ts'
import { messageError } from './messages.ts'

export const conversationExportFormat = 'parley.conversation'
export const userDataExportFormat = 'parley.user-data'

/** Most messages one exported conversation may hold (the default per-conversation quota). */
export const maxExportedMessages = 5000

/**
 * An id inside an export document: it only links a message to its parent there. Import never
 * keeps it; every imported message gets a fresh id.
 */
const documentId = z.string().min(1).max(100)

export const exportFormatQuery = z.strictObject({
  format: z.enum(['markdown', 'json']).default('json'),
})

export const exportedMessage = z.object({
  id: documentId,
  /** The message this one answers, by its id in the same document; null for a first message. */
  parentId: documentId.nullable(),
  role: z.enum(messageRoles),
  content: z.string().max(maxStoredMessageChars),
  model: z.string().max(100).nullable().default(null),
  provider: z.string().max(100).nullable().default(null),
  status: z.enum(messageStatuses).default('complete'),
  error: messageError.nullable().default(null),
  createdAt: isoDateTime,
})
export type ExportedMessage = z.infer<typeof exportedMessage>

export const exportedConversation = z.object({
  title: z.string().trim().min(1).max(200).nullable().default(null),
  systemPrompt: z.string().max(20_000).nullable().default(null),
  temperature: z.number().min(0).max(2).nullable().default(null),
  model: modelId.nullable().default(null),
  createdAt: isoDateTime,
  /** The leaf of the branch the conversation shows, by its id in the document. */
  activeLeafId: documentId.nullable().default(null),
})

/**
 * The ids are unique, every parent is a message of the document, no parent chain loops back on
 * itself, and the active leaf (when named) is one of the messages.
 */
function checkMessageTree(
  doc: { conversation: { activeLeafId: string | null }; messages: ExportedMessage[] },
  ctx: z.RefinementCtx,
) {
  const parentOf = new Map<string, string | null>()
  for (const [index, message] of doc.messages.entries()) {
    if (parentOf.has(message.id)) {
      ctx.addIssue({ code: 'custom', path: ['messages', index, 'id'], message: 'is used twice' })
      return
    }
    parentOf.set(message.id, message.parentId)
  }
  const rooted = new Set<string>()
  for (const [index, message] of doc.messages.entries()) {
    const chain = new Set<string>()
    let current: string | null = message.id
    while (current !== null && !rooted.has(current)) {
      if (chain.has(current)) {
        ctx.addIssue({
          code: 'custom',
          path: ['messages', index, 'parentId'],
          message: 'the parent chain loops back on itself',
        })
        return
      }
      chain.add(current)
      const parent: string | null | undefined = parentOf.get(current)
      if (parent === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['messages', index, 'parentId'],
          message: 'names a message that is not in the document',
        })
        return
      }
      current = parent
    }
    for (const id of chain) rooted.add(id)
  }
  const leaf = doc.conversation.activeLeafId
  if (leaf !== null && !parentOf.has(leaf)) {
    ctx.addIssue({
      code: 'custom',
      path: ['conversation', 'activeLeafId'],
      message: 'names a message that is not in the document',
    })
  }
}

/**
 * `GET /conversations/:id/export?format=json` and the body of `POST /conversations/import`: one
 * conversation with every message of every branch, parent links by document id.
 */
export const conversationExport = z
  .object({
    format: z.literal(conversationExportFormat),
    version: z.literal(1),
    exportedAt: isoDateTime,
    conversation: exportedConversation,
    messages: z.array(exportedMessage).max(maxExportedMessages),
  })
  .superRefine(checkMessageTree)
export type ConversationExport = z.infer<typeof conversationExport>
export type ConversationExportInput = z.input<typeof conversationExport>

export const exportedFeedback = ownFeedback.extend({
  messageId: z.uuid(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
})

export const exportedUsageEvent = z.object({
  conversationId: z.uuid().nullable(),
  messageId: z.uuid().nullable(),
  provider: z.string(),
  model: z.string(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cachedInputTokens: z.number().int(),
  costMicroUsd: z.number().int(),
  status: z.enum(usageStatuses),
  createdAt: isoDateTime,
})

/** `GET /me/export`: everything Parley keeps about the caller, in one document. */
export const userDataExport = z.object({
  format: z.literal(userDataExportFormat),
  version: z.literal(1),
  exportedAt: isoDateTime,
  profile: z.object({
    email: z.string().nullable(),
    displayName: z.string().nullable(),
    defaultModel: z.string().nullable(),
    theme: z.enum(themes),
    settings: z.record(z.string(), z.unknown()),
    createdAt: isoDateTime,
  }),
  customInstructions: z.object({
    aboutMe: z.string().nullable(),
    replyStyle: z.string().nullable(),
  }),
  /** Each conversation as its own export document (importable one by one), newest first. */
  conversations: z.array(
    z.object({
      id: z.uuid(),
      format: z.literal(conversationExportFormat),
      version: z.literal(1),
      exportedAt: isoDateTime,
      conversation: exportedConversation,
      messages: z.array(exportedMessage),
    }),
  ),
  feedback: z.array(exportedFeedback),
  usageEvents: z.array(exportedUsageEvent),
})
export type UserDataExport = z.infer<typeof userDataExport>
