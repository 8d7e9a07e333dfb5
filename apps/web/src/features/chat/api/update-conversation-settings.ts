import type { Conversation } from '@parley/schema/contracts'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { queryKeys } from '../../../lib/query-keys.ts'

export interface ConversationSettings {
  systemPrompt: string | null
  temperature: number | null
}

/** Saves a conversation's own system prompt and temperature (null: the defaults). */
export function useUpdateConversationSettings(conversationId: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (settings: ConversationSettings) =>
      api.conversations.update(conversationId, settings),
    onSuccess: (conversation) =>
      client.setQueryData<Conversation>(queryKeys.conversation(conversationId), conversation),
  })
}
