import type { Me, UpdateProfileBody } from '@parley/schema/contracts'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { queryKeys } from '../../../lib/query-keys.ts'

/** Saves profile settings, showing them at once and putting them back if the server refuses. */
export function useUpdateMe() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (body: UpdateProfileBody) => api.me.update(body),
    onMutate: async (body) => {
      await client.cancelQueries({ queryKey: queryKeys.me })
      const previous = client.getQueryData<Me>(queryKeys.me)
      if (previous) client.setQueryData<Me>(queryKeys.me, { ...previous, ...body } as Me)
      return { previous }
    },
    onError: (_error, _body, context) => {
      if (context?.previous) client.setQueryData(queryKeys.me, context.previous)
    },
    onSuccess: (me) => client.setQueryData(queryKeys.me, me),
  })
}
