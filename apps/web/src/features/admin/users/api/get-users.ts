import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query'
import { api } from '../../../../lib/api-client.ts'
import { queryKeys } from '../../../../lib/query-keys.ts'

export const adminUsersQuery = (q: string) =>
  infiniteQueryOptions({
    queryKey: queryKeys.adminUserSearch(q),
    queryFn: ({ pageParam, signal }) =>
      api.adminUsers.list({ q: q || undefined, cursor: pageParam ?? undefined }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    // Spend and sign-ins move all the time: ask again whenever the page opens.
    staleTime: 0,
  })

/** Accounts whose email contains `q` (all when empty), newest first, a page at a time (admins). */
export const useAdminUsers = (q: string) => useInfiniteQuery(adminUsersQuery(q))
