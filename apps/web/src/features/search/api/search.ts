import { infiniteQueryOptions, keepPreviousData, useInfiniteQuery } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { queryKeys } from '../../../lib/query-keys.ts'

export const searchQuery = (q: string) =>
  infiniteQueryOptions({
    queryKey: queryKeys.search(q),
    // The signal cancels a search the user has typed past.
    queryFn: ({ pageParam, signal }) =>
      api.search({ q, scope: 'all', cursor: pageParam, limit: 20 }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    enabled: q.length > 0,
    staleTime: 10_000,
  })

/** Messages, conversations and file passages matching `q`; the last results stay while typing. */
export const useSearch = (q: string) =>
  useInfiniteQuery({ ...searchQuery(q), placeholderData: keepPreviousData })
