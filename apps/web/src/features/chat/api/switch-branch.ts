import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { describeError } from '../../../lib/api-error.ts'
import { queryKeys } from '../../../lib/query-keys.ts'
import { toast } from '../../../lib/toast-store.ts'
import { reloadThread } from './get-messages.ts'

/**
 * Shows another version of a message: the server moves the conversation's active branch (so a
 * reload or another device shows the same), then the thread is read again along it.
 */
export function useSwitchBranch(conversationId: string) {
  const client = useQueryClient()
  return useMutation({
    scope: { id: `branch:${conversationId}` },
    mutationFn: async (messageId: string) => {
      await api.conversations.switchBranch(conversationId, messageId)
      await client.cancelQueries({ queryKey: queryKeys.messages(conversationId) })
      await reloadThread(client, conversationId)
    },
    onError: (error) => toast(`That version did not open. ${describeError(error)}`, 'error'),
  })
}
