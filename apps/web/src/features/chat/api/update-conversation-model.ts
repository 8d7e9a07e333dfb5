import type { Conversation } from '@parley/schema/contracts'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { describeError } from '../../../lib/api-error.ts'
import { patchConversationInList } from '../../../lib/conversation-list-cache.ts'
import { queryKeys } from '../../../lib/query-keys.ts'
import { toast } from '../../../lib/toast-store.ts'

/** Switches the model of a conversation at once, and back if the server refuses. */
export function useUpdateConversationModel(conversationId: string) {
  const client = useQueryClient()
  const key = queryKeys.conversation(conversationId)
  return useMutation({
    mutationFn: (model: string) => api.conversations.update(conversationId, { model }),
    onMutate: async (model) => {
      await client.cancelQueries({ queryKey: key })
      const previous = client.getQueryData<Conversation>(key)
      if (previous) client.setQueryData<Conversation>(key, { ...previous, model })
      return { previous }
    },
    onError: (error, _model, context) => {
      if (context?.previous) client.setQueryData(key, context.previous)
      toast(`The model was not changed. ${describeError(error)}`, 'error')
    },
    onSuccess: (conversation) => {
      client.setQueryData(key, conversation)
      patchConversationInList(client, conversationId, { model: conversation.model })
    },
  })
}
