import type { FileScope } from '@parley/schema/contracts'
import { type QueryClient, useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { describeError } from '../../../lib/api-error.ts'
import { fileScopeOf } from '../../../lib/file-queries.ts'
import { queryKeys } from '../../../lib/query-keys.ts'
import { toast } from '../../../lib/toast-store.ts'
import { failUpload, removeUpload } from '../../../lib/upload-store.ts'

/** A change of scope, worked out from the scope as it is when the change is sent. */
export type ScopeChange = (current: FileScope) => FileScope

/** Adds a file to the files a conversation reads (all files already include it). */
export const withFile =
  (fileId: string): ScopeChange =>
  (scope) => {
    if (scope.mode === 'all') return scope
    const current = scope.mode === 'files' ? scope.fileIds : []
    return { mode: 'files', fileIds: [...new Set([...current, fileId])] }
  }

/** Takes a file out of the files a conversation reads; none left means no files. */
export const withoutFile =
  (fileId: string): ScopeChange =>
  (scope) => {
    if (scope.mode !== 'files') return scope
    const fileIds = scope.fileIds.filter((id) => id !== fileId)
    return fileIds.length > 0 ? { mode: 'files', fileIds } : { mode: 'none' }
  }

/**
 * Changes which files a conversation's turns read from. Changes run one after another, each
 * from the scope the previous one left, so two uploads finishing together both count. An
 * upload's `uploadKey` leaves the upload list once its file is in the scope.
 */
export function useSetFileScope(conversationId: string) {
  const client = useQueryClient()
  return useMutation({
    scope: { id: `file-scope:${conversationId}` },
    mutationFn: ({ change }: { change: ScopeChange; uploadKey?: string }) => {
      const current = fileScopeOf(client.getQueryData(queryKeys.conversation(conversationId)))
      return api.conversations.setFiles(conversationId, change(current))
    },
    onSuccess: (conversation, { uploadKey }) => {
      client.setQueryData(queryKeys.conversation(conversationId), conversation)
      if (uploadKey) removeUpload(conversationId, uploadKey)
    },
    onError: (error, { uploadKey }) => {
      const reason = describeError(error)
      if (uploadKey)
        failUpload(conversationId, uploadKey, `Uploaded, but not added to this chat. ${reason}`)
      else toast(`The files for this chat were not changed. ${reason}`, 'error')
    },
  })
}

/** Sets the files of a conversation just created, before its first message is sent. */
export async function setInitialFileScope(
  client: QueryClient,
  conversationId: string,
  scope: FileScope,
): Promise<void> {
  if (scope.mode === 'none') return
  const conversation = await api.conversations.setFiles(conversationId, scope)
  client.setQueryData(queryKeys.conversation(conversationId), conversation)
}
