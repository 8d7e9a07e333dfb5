import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { queryKeys } from '../../../lib/query-keys.ts'

export const conversationsQuery = () =>
  infiniteQueryOptions({
    queryKey: queryKeys.conversationList,
    queryFn: ({ pageParam, signal }) =>
      api.conversations.list({ cursor: pageParam, limit: 30 }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  })

/** The user's conversations, latest activity first, a page at a time. */
export const useConversations = () => useInfiniteQuery(conversationsQuery())
