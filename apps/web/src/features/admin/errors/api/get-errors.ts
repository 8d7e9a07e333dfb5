import type { ErrorGroupBy } from '@parley/schema/contracts'
import {
  infiniteQueryOptions,
  queryOptions,
  useInfiniteQuery,
  useQuery,
} from '@tanstack/react-query'
import { api, type ErrorFilter } from '../../../../lib/api-client.ts'
import { queryKeys } from '../../../../lib/query-keys.ts'

export const errorListQuery = (filter: ErrorFilter) =>
  infiniteQueryOptions({
    queryKey: queryKeys.adminErrorList(filter),
    queryFn: ({ pageParam, signal }) =>
      api.logs.errors({ ...filter, ...(pageParam ? { cursor: pageParam } : {}) }, signal),
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    staleTime: 0,
  })

export const errorGroupsQuery = (groupBy: ErrorGroupBy, filter: ErrorFilter) =>
  queryOptions({
    queryKey: queryKeys.adminErrorGroups(groupBy, filter),
    queryFn: ({ signal }) => api.logs.errorGroups(groupBy, filter, signal),
    staleTime: 0,
  })

/** The error log, newest first, a page at a time (admins). */
export const useErrorList = (filter: ErrorFilter) => useInfiniteQuery(errorListQuery(filter))

/** Errors counted per route or code (admins). */
export const useErrorGroups = (groupBy: ErrorGroupBy, filter: ErrorFilter) =>
  useQuery(errorGroupsQuery(groupBy, filter))
