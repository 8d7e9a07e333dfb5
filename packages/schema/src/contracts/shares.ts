import { z } from 'zod'
import { isoDateTime, uuid } from './common.ts'

/** `POST /conversations/:id/shares`: share the thread up to `messageId` (default: its end). */
export const createShareBody = z.strictObject({ messageId: uuid.optional() })
export type CreateShareBody = z.infer<typeof createShareBody>

/** Share ids are opaque: any text up to this length is looked up, and unknown ones are 404. */
export const shareParam = z.strictObject({ shareId: z.string().min(1).max(128) })

/** A share link as its owner sees it. */
export const share = z.object({
  id: z.string(),
  /** The public page of the link. */
  url: z.url(),
  title: z.string().nullable(),
  createdAt: isoDateTime,
  messageCount: z.number().int(),
  /** The last message the snapshot holds. */
  messageId: uuid,
  /** When the link was revoked; it answers `410` from then on. */
  revokedAt: isoDateTime.nullable(),
})
export type Share = z.infer<typeof share>

export const shareList = z.object({ items: z.array(share) })
export type ShareList = z.infer<typeof shareList>

export const sharedMessage = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  /** The model that wrote a reply; null for the user's messages. */
  model: z.string().nullable(),
  createdAt: isoDateTime,
})
export type SharedMessage = z.infer<typeof sharedMessage>

/** `GET /shares/:shareId` (public): the snapshot, and nothing about its owner. */
export const sharedConversation = z.object({
  id: z.string(),
  title: z.string().nullable(),
  createdAt: isoDateTime,
  messages: z.array(sharedMessage),
})
export type SharedConversation = z.infer<typeof sharedConversation>
