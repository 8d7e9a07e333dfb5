import type { ResolveErrorBody } from '@parley/schema/contracts'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../../lib/api-client.ts'
import { queryKeys } from '../../../../lib/query-keys.ts'

/** Resolves an error with a note (or opens it again); the lists and counts refresh. */
export function useResolveError() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ id, ...body }: ResolveErrorBody & { id: string }) =>
      api.logs.resolveError(id, body),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.adminErrors }),
  })
}
