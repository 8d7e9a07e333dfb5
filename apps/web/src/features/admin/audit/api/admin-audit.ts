import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query'
import { api } from '../../../../lib/api-client.ts'
import { queryKeys } from '../../../../lib/query-keys.ts'

export const adminAuditQuery = (targetType: string) =>
  infiniteQueryOptions({
    queryKey: queryKeys.adminAudit(targetType),
    queryFn: ({ pageParam, signal }) =>
      api.adminAudit.list({ cursor: pageParam, targetType: targetType || undefined }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    staleTime: 0,
  })

/** Admin changes, newest first, a page at a time; `targetType` '' is every kind. */
export const useAdminAudit = (targetType: string) => useInfiniteQuery(adminAuditQuery(targetType))
