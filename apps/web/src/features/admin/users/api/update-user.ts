import type { UpdateAdminUserBody } from '@parley/schema/contracts'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../../lib/api-client.ts'
import { queryKeys } from '../../../../lib/query-keys.ts'

/** Gives or takes the admin role, disables or enables an account; every list asks again. */
export function useUpdateUser() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ id, change }: { id: string; change: UpdateAdminUserBody }) =>
      api.adminUsers.update(id, change),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.adminUsers }),
  })
}
