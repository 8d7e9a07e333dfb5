import { z } from 'zod'
import { maxFeedbackCommentChars, maxFeedbackReasons } from '../limits.ts'
import {
  type FeedbackReason,
  type FeedbackVote,
  feedbackReasons,
  feedbackVotes,
} from '../tables/message-feedback.ts'

export { type FeedbackReason, type FeedbackVote, feedbackReasons, feedbackVotes }

import { isoDateTime, page, pageQuery } from './common.ts'

/** `PUT /messages/:id/feedback`: sets or changes the caller's vote on one of their replies. */
export const putFeedbackBody = z.strictObject({
  vote: z.enum(feedbackVotes),
  reasons: z
    .array(z.enum(feedbackReasons))
    .max(maxFeedbackReasons)
    .refine((tags) => new Set(tags).size === tags.length, 'must not repeat a reason')
    .optional(),
  comment: z.string().max(maxFeedbackCommentChars).optional(),
})
export type PutFeedbackBody = z.infer<typeof putFeedbackBody>

/** The caller's own vote on a reply, as thread listings carry it. */
export const ownFeedback = z.object({
  vote: z.enum(feedbackVotes),
  reasons: z.array(z.enum(feedbackReasons)),
  comment: z.string().nullable(),
})
export type OwnFeedback = z.infer<typeof ownFeedback>

export const messageFeedback = ownFeedback.extend({
  messageId: z.uuid(),
  updatedAt: isoDateTime,
})
export type MessageFeedback = z.infer<typeof messageFeedback>

/** `GET /admin/feedback`: votes per model, across every user. */
export const feedbackByModel = z.object({
  items: z.array(
    z.object({
      /** Null for replies that failed before a model was chosen. */
      model: z.string().nullable(),
      up: z.number().int(),
      down: z.number().int(),
    }),
  ),
})
export type FeedbackByModel = z.infer<typeof feedbackByModel>

/** `GET /admin/feedback/recent`: the newest votes across every user, optionally only one kind. */
export const recentFeedbackQuery = pageQuery.extend({ vote: z.enum(feedbackVotes).optional() })
export type RecentFeedbackQuery = z.input<typeof recentFeedbackQuery>

/** One vote as an admin reads it: the model, the vote, the reasons and comment; no message text. */
export const recentFeedbackItem = messageFeedback.extend({
  model: z.string().nullable(),
  userId: z.uuid(),
})
export type RecentFeedbackItem = z.infer<typeof recentFeedbackItem>
export const recentFeedbackPage = page(recentFeedbackItem)
