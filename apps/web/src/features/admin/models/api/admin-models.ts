import type { AdminModelPatch } from '@parley/schema/contracts'
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../../lib/api-client.ts'
import { queryKeys } from '../../../../lib/query-keys.ts'

export const adminModelsQuery = () =>
  queryOptions({
    queryKey: queryKeys.adminModels,
    queryFn: ({ signal }) => api.adminModels.list(signal),
    staleTime: 0,
  })

/** Every catalog entry, enabled or not (admins). */
export const useAdminModels = () => useQuery(adminModelsQuery())

/** Changes one model; the catalog, the users' model list and the audit trail refresh after. */
export function useUpdateModel() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: AdminModelPatch }) =>
      api.adminModels.update(id, patch),
    onSettled: async () => {
      await Promise.all([
        client.invalidateQueries({ queryKey: queryKeys.adminModels }),
        client.invalidateQueries({ queryKey: queryKeys.models }),
        client.invalidateQueries({ queryKey: ['admin', 'audit'] }),
      ])
    },
  })
}
