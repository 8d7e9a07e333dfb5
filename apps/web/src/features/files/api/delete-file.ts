import type { FilePage } from '@parley/schema/contracts'
import { type InfiniteData, useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { describeError } from '../../../lib/api-error.ts'
import { queryKeys } from '../../../lib/query-keys.ts'
import { toast } from '../../../lib/toast-store.ts'

type FilePages = InfiniteData<FilePage, unknown>

/** Deletes a file and its passages; it leaves the list at once and comes back if refused. */
export function useDeleteFile() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => api.files.remove(id),
    onMutate: async (id) => {
      await client.cancelQueries({ queryKey: queryKeys.fileList })
      const previous = client.getQueryData<FilePages>(queryKeys.fileList)
      if (previous) {
        client.setQueryData<FilePages>(queryKeys.fileList, {
          ...previous,
          pages: previous.pages.map((page) => ({
            ...page,
            items: page.items.filter((file) => file.id !== id),
          })),
        })
      }
      return { previous }
    },
    onError: (error, _id, context) => {
      if (context?.previous) client.setQueryData(queryKeys.fileList, context.previous)
      toast(`The file was not deleted. ${describeError(error)}`, 'error')
    },
    onSuccess: (_result, id) => {
      client.removeQueries({ queryKey: queryKeys.file(id) })
      toast('File deleted.')
    },
  })
}
