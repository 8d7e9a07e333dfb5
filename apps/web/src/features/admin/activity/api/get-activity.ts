import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query'
import { type ActivityFilter, api } from '../../../../lib/api-client.ts'
import { queryKeys } from '../../../../lib/query-keys.ts'

export const activityQuery = (filter: ActivityFilter) =>
  infiniteQueryOptions({
    queryKey: queryKeys.adminActivity(filter),
    queryFn: ({ pageParam, signal }) =>
      api.logs.activity({ ...filter, ...(pageParam ? { cursor: pageParam } : {}) }, signal),
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    staleTime: 0,
  })

/** Everyone's activity, newest first, a page at a time (admins). */
export const useActivity = (filter: ActivityFilter) => useInfiniteQuery(activityQuery(filter))
