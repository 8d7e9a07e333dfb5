import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { queryKeys } from '../../../lib/query-keys.ts'

/** Publishes the conversation as it is now under a new link. */
export function useCreateShare(conversationId: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: () => api.shares.create(conversationId),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.shares(conversationId) }),
  })
}
