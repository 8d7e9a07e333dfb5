import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { queryKeys } from '../../../lib/query-keys.ts'

const pageSize = 50

export const messagesQuery = (conversationId: string) =>
  infiniteQueryOptions({
    queryKey: queryKeys.messages(conversationId),
    queryFn: ({ pageParam, signal }) =>
      api.messages.list(conversationId, { before: pageParam, limit: pageSize }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    // The cache is kept current by the streams themselves; refetching would race them.
    staleTime: Number.POSITIVE_INFINITY,
  })

/** The conversation's thread, newest page first; older pages load on demand. */
export const useMessages = (conversationId: string) =>
  useInfiniteQuery(messagesQuery(conversationId))
