import { queryOptions, useQuery } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { queryKeys } from '../../../lib/query-keys.ts'

export const sharesQuery = (conversationId: string) =>
  queryOptions({
    queryKey: queryKeys.shares(conversationId),
    queryFn: ({ signal }) => api.shares.list(conversationId, signal),
  })

/** The conversation's share links, newest first; fetched only while `enabled` (the dialog is open). */
export const useShares = (conversationId: string, enabled: boolean) =>
  useQuery({ ...sharesQuery(conversationId), enabled })
