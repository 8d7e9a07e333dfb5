import type { Conversation } from '@parley/schema/contracts'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { describeError } from '../../../lib/api-error.ts'
import {
  patchConversationInList,
  restoreConversationList,
} from '../../../lib/conversation-list-cache.ts'
import { queryKeys } from '../../../lib/query-keys.ts'
import { toast } from '../../../lib/toast-store.ts'

/** Renames at once in the list and the header; puts the old title back if the server refuses. */
export function useRenameConversation() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ id, title }: { id: string; title: string }) =>
      api.conversations.update(id, { title }),
    onMutate: async ({ id, title }) => {
      await client.cancelQueries({ queryKey: queryKeys.conversations })
      const detail = client.getQueryData<Conversation>(queryKeys.conversation(id))
      if (detail) client.setQueryData(queryKeys.conversation(id), { ...detail, title })
      return { list: patchConversationInList(client, id, { title }), detail }
    },
    onError: (error, { id }, context) => {
      restoreConversationList(client, context?.list)
      if (context?.detail) client.setQueryData(queryKeys.conversation(id), context.detail)
      toast(`The conversation was not renamed. ${describeError(error)}`, 'error')
    },
    onSuccess: (conversation) => {
      client.setQueryData(queryKeys.conversation(conversation.id), conversation)
      patchConversationInList(client, conversation.id, conversation)
    },
  })
}
