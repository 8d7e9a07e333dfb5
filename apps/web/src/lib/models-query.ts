import type { ModelList, ModelSummary } from '@parley/schema/contracts'
import { queryOptions, useQuery } from '@tanstack/react-query'
import { api } from './api-client.ts'
import { queryKeys } from './query-keys.ts'

export const modelsQuery = () =>
  queryOptions({
    queryKey: queryKeys.models,
    queryFn: ({ signal }) => api.models.list(signal),
    staleTime: 5 * 60_000,
  })

/** The models this server can answer with, and which one is the default. */
export const useModels = () => useQuery(modelsQuery())

export function findModel(list: ModelList | undefined, id: string | null | undefined) {
  if (!list || !id) return undefined
  return list.items.find((model: ModelSummary) => model.id === id)
}
