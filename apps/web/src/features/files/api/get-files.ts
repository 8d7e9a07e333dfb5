import type { FilePage } from '@parley/schema/contracts'
import { type InfiniteData, infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { processingPollMs } from '../../../lib/file-queries.ts'
import { queryKeys } from '../../../lib/query-keys.ts'

const stillReading = (data: InfiniteData<FilePage> | undefined) =>
  data?.pages.some((page) => page.items.some((file) => file.status === 'processing')) ?? false

export const filesQuery = () =>
  infiniteQueryOptions({
    queryKey: queryKeys.fileList,
    queryFn: ({ pageParam, signal }) => api.files.list({ cursor: pageParam, limit: 50 }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    // Statuses change on the server while files are read: look again until none is.
    refetchInterval: (query) => (stillReading(query.state.data) ? processingPollMs : false),
  })

/** The user's files, newest first, a page at a time. */
export const useFiles = () => useInfiniteQuery(filesQuery())
