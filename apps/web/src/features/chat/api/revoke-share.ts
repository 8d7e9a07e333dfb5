import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { queryKeys } from '../../../lib/query-keys.ts'

/** Revokes one of the conversation's links for good. */
export function useRevokeShare(conversationId: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (shareId: string) => api.shares.revoke(shareId),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.shares(conversationId) }),
  })
}
