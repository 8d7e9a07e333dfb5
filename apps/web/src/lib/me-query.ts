import { queryOptions, useQuery } from '@tanstack/react-query'
import { api } from './api-client.ts'
import { queryKeys } from './query-keys.ts'

export const meQuery = () =>
  queryOptions({ queryKey: queryKeys.me, queryFn: ({ signal }) => api.me.get(signal) })

/** The signed-in user's profile: display name, default model, theme. */
export const useMe = () => useQuery(meQuery())
