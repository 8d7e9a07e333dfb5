import type { CreateConversationBody } from '@parley/schema/contracts'
import { type QueryClient, useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import {
  prependConversation,
  removeConversationFromList,
} from '../../../lib/conversation-list-cache.ts'
import { queryKeys } from '../../../lib/query-keys.ts'
import type { MessagePages } from './message-cache.ts'

/** Starts a conversation; its (empty) thread is known, so it is never fetched. */
export function useCreateConversation() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (body: CreateConversationBody) => api.conversations.create(body),
    onSuccess: (conversation) => {
      client.setQueryData(queryKeys.conversation(conversation.id), conversation)
      client.setQueryData<MessagePages>(queryKeys.messages(conversation.id), {
        pages: [{ items: [], nextCursor: null }],
        pageParams: [undefined],
      })
      prependConversation(client, conversation)
    },
  })
}

/** Deletes a conversation whose first message was refused, so no empty chat is left listed. */
export function discardConversation(client: QueryClient, conversationId: string) {
  removeConversationFromList(client, conversationId)
  client.removeQueries({ queryKey: queryKeys.conversation(conversationId) })
  client.removeQueries({ queryKey: queryKeys.messages(conversationId) })
  void api.conversations.remove(conversationId).catch(() => undefined)
}
