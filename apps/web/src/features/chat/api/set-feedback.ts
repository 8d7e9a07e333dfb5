import type { OwnFeedback, PutFeedbackBody } from '@parley/schema/contracts'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { describeError } from '../../../lib/api-error.ts'
import { toast } from '../../../lib/toast-store.ts'
import { findMessage, patchMessage } from './message-cache.ts'

export interface FeedbackChange {
  messageId: string
  /** The new vote, or null to clear it. */
  next: PutFeedbackBody | null
}

const asOwn = (body: PutFeedbackBody): OwnFeedback => ({
  vote: body.vote,
  reasons: body.reasons ?? [],
  comment: body.comment?.trim() || null,
})

/** Votes on a reply at once, and puts the previous vote back if the server refuses. */
export function useSetFeedback(conversationId: string) {
  const client = useQueryClient()
  return useMutation({
    // One at a time, so a vote and the reasons sent right after it reach the server in order.
    scope: { id: `feedback:${conversationId}` },
    mutationFn: async ({ messageId, next }: FeedbackChange) => {
      if (next) await api.feedback.put(messageId, next)
      else await api.feedback.remove(messageId)
    },
    onMutate: ({ messageId, next }) => {
      const previous = findMessage(client, conversationId, messageId)?.feedback ?? null
      patchMessage(client, conversationId, messageId, { feedback: next ? asOwn(next) : null })
      return { previous }
    },
    onError: (error, { messageId }, context) => {
      patchMessage(client, conversationId, messageId, { feedback: context?.previous ?? null })
      toast(`Your feedback was not saved. ${describeError(error)}`, 'error')
    },
  })
}
