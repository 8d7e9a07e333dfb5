import {
  infiniteQueryOptions,
  queryOptions,
  useInfiniteQuery,
  useQuery,
} from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { queryKeys } from '../../../lib/query-keys.ts'

export type VoteFilter = 'all' | 'up' | 'down'

export const feedbackByModelQuery = () =>
  queryOptions({
    queryKey: queryKeys.adminFeedback,
    queryFn: ({ signal }) => api.adminFeedback.byModel(signal),
    staleTime: 0,
  })

export const recentFeedbackQuery = (vote: VoteFilter) =>
  infiniteQueryOptions({
    queryKey: queryKeys.adminFeedbackRecent(vote),
    queryFn: ({ pageParam, signal }) =>
      api.adminFeedback.recent(
        { cursor: pageParam, vote: vote === 'all' ? undefined : vote },
        signal,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    staleTime: 0,
  })

/** Satisfaction per model across every user (admins). */
export const useFeedbackByModel = () => useQuery(feedbackByModelQuery())

/** The newest votes, optionally only ups or downs, a page at a time (admins). */
export const useRecentFeedback = (vote: VoteFilter) => useInfiniteQuery(recentFeedbackQuery(vote))
