import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { describeError } from '../../../lib/api-error.ts'
import {
  removeConversationFromList,
  restoreConversationList,
} from '../../../lib/conversation-list-cache.ts'
import { queryKeys } from '../../../lib/query-keys.ts'
import { toast } from '../../../lib/toast-store.ts'

/** Removes a conversation from the list at once; brings it back if the server refuses. */
export function useDeleteConversation() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => api.conversations.remove(id),
    onMutate: async (id) => {
      await client.cancelQueries({ queryKey: queryKeys.conversationList })
      return { list: removeConversationFromList(client, id) }
    },
    onError: (error, _id, context) => {
      restoreConversationList(client, context?.list)
      toast(`The conversation was not deleted. ${describeError(error)}`, 'error')
    },
    onSuccess: (_result, id) => {
      client.removeQueries({ queryKey: queryKeys.conversation(id) })
      client.removeQueries({ queryKey: queryKeys.messages(id) })
      toast('Conversation deleted.')
    },
  })
}
