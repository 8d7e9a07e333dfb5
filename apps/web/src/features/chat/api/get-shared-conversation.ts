import { queryOptions, useQuery } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { queryKeys } from '../../../lib/query-keys.ts'

export const sharedConversationQuery = (shareId: string) =>
  queryOptions({
    queryKey: queryKeys.sharedConversation(shareId),
    queryFn: ({ signal }) => api.shares.get(shareId, signal),
  })

/** A shared conversation's snapshot, as anyone with the link sees it. */
export const useSharedConversation = (shareId: string) => useQuery(sharedConversationQuery(shareId))
