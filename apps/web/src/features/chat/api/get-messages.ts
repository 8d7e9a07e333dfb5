import { infiniteQueryOptions, type QueryClient, useInfiniteQuery } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { queryKeys } from '../../../lib/query-keys.ts'
import { replaceThread } from './message-cache.ts'

/** Messages per page of the thread. */
export const threadPageSize = 50

export const messagesQuery = (conversationId: string) =>
  infiniteQueryOptions({
    queryKey: queryKeys.messages(conversationId),
    queryFn: ({ pageParam, signal }) =>
      api.messages.list(conversationId, { before: pageParam, limit: threadPageSize }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    // The cache is kept current by the streams themselves; refetching would race them.
    staleTime: Number.POSITIVE_INFINITY,
  })

/** The conversation's thread, newest page first; older pages load on demand. */
export const useMessages = (conversationId: string) =>
  useInfiniteQuery(messagesQuery(conversationId))

/** Fetches the newest page of the thread as the server shows it now, into the cache. */
export async function reloadThread(client: QueryClient, conversationId: string) {
  const page = await api.messages.list(conversationId, { limit: threadPageSize })
  replaceThread(client, conversationId, page)
}
