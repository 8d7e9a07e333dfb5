import { createSelectSchema } from 'drizzle-zod'
import { z } from 'zod'
import { maxStoredMessageChars, maxUserMessageChars } from '../limits.ts'
import { messageRoles, messageStatuses, messages } from '../tables/messages.ts'
import { cursor, isoDateTime, modelId, pageLimit, uuid } from './common.ts'
import { ownFeedback } from './feedback.ts'
import { citation } from './knowledge.ts'

export const messageError = z.object({ code: z.string(), message: z.string() })

export const message = createSelectSchema(messages, {
  error: messageError.nullable(),
  metadata: z.record(z.string(), z.unknown()),
  citations: z.array(citation),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
}).extend({
  /** The caller's vote on a reply; only thread listings carry it. */
  feedback: ownFeedback.nullable().optional(),
  /**
   * Ids of this message and its siblings (edits of a user message, regenerations of a reply),
   * oldest first; only thread listings carry it.
   */
  siblingIds: z.array(uuid).optional(),
})
export type Message = z.infer<typeof message>
export type MessageRole = (typeof messageRoles)[number]
export type MessageStatus = (typeof messageStatuses)[number]

export const messagePage = z.object({
  /** Oldest first; the page holds the newest messages before the cursor. */
  items: z.array(message),
  /** Cursor for the page of older messages, or null at the start of the conversation. */
  nextCursor: cursor.nullable(),
})

export const listMessagesQuery = z.strictObject({
  limit: pageLimit.default(50),
  before: cursor.optional(),
})
export type ListMessagesQuery = z.input<typeof listMessagesQuery>

export const sendMessageBody = z.strictObject({
  /** Client-generated id: sending again with the same id never creates a second message. */
  id: uuid.optional(),
  content: z
    .string()
    .max(maxUserMessageChars)
    .refine((text) => text.trim().length > 0, 'must not be empty'),
  model: modelId.optional(),
  /**
   * Reply to this message instead of the end of the shown thread: editing a message sends the new
   * version under the old one's parent. Null starts a new first message (an edit of the first).
   */
  parentId: uuid.nullable().optional(),
  /**
   * Without `parentId`: the last message of the thread as the client shows it. Only a hint (the
   * message still goes at the end of the thread): when it is the reply this server stored last,
   * the model call can start while the message is being stored.
   */
  leafId: uuid.optional(),
})
export type SendMessageBody = z.infer<typeof sendMessageBody>

/**
 * `POST /conversations/:id/messages/:messageId/regenerate`: a new reply to the same user message,
 * stored as a sibling of the assistant message `messageId`, which stays stored but leaves the thread.
 */
export const regenerateMessageBody = z.strictObject({
  /** Client-generated id of the new reply: regenerating again with it never makes a second one. */
  id: uuid.optional(),
  model: modelId.optional(),
})
export type RegenerateMessageBody = z.infer<typeof regenerateMessageBody>

export const messageParams = z.strictObject({ id: uuid, messageId: uuid })

/** `PUT /conversations/:id/branch`: show the branch through `messageId`, down to its newest leaf. */
export const switchBranchBody = z.strictObject({ messageId: uuid })
export type SwitchBranchBody = z.infer<typeof switchBranchBody>

export const activeBranch = z.object({ activeLeafId: uuid })
export type ActiveBranch = z.infer<typeof activeBranch>

/** `POST /conversations/:id/messages` without `Accept: text/event-stream`. */
export const sendMessageResponse = z.object({ userMessage: message, assistantMessage: message })
export type SendMessageResponse = z.infer<typeof sendMessageResponse>

const tokens = z.number().int().min(0)

/** A message as the server appends it (repositories validate with this before any SQL). */
export const newMessage = z.strictObject({
  id: uuid.optional(),
  conversationId: uuid,
  parentId: uuid.nullable().optional(),
  role: z.enum(messageRoles),
  content: z.string().max(maxStoredMessageChars),
  status: z.enum(messageStatuses).default('complete'),
  model: z.string().max(100).nullable().optional(),
  provider: z.string().max(100).nullable().optional(),
  tokenCount: tokens.default(0),
  metadata: z.record(z.string(), z.unknown()).optional(),
})
export type NewMessage = z.input<typeof newMessage>

/** Progress or outcome written to an assistant message while and after it streams. */
export const messageUpdate = z
  .strictObject({
    content: z.string().max(maxStoredMessageChars),
    status: z.enum(messageStatuses),
    model: z.string().max(100).nullable(),
    provider: z.string().max(100).nullable(),
    inputTokens: tokens.nullable(),
    outputTokens: tokens.nullable(),
    cachedInputTokens: tokens.nullable(),
    tokenCount: tokens,
    costMicroUsd: tokens,
    ttftMs: tokens.nullable(),
    latencyMs: tokens.nullable(),
    error: messageError.nullable(),
    metadata: z.record(z.string(), z.unknown()),
  })
  .partial()
export type MessageUpdate = z.infer<typeof messageUpdate>
