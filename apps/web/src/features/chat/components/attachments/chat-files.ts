import type { Conversation, FileScope } from '@parley/schema/contracts'
import { useQueries } from '@tanstack/react-query'
import { useState } from 'react'
import { fileQuery, fileScopeOf } from '../../../../lib/file-queries.ts'
import { startUpload, type Upload, useUploads } from '../../../../lib/upload-store.ts'
import { useSetFileScope, withFile, withoutFile } from '../../api/set-file-scope.ts'
import { newChatDraftKey } from '../../stores/draft-store.ts'

/** The files of one chat, whether or not it exists yet: what the composer's tray shows. */
export interface ChatFiles {
  /** Where this chat's uploads are tracked (its draft key). */
  group: string
  scope: FileScope
  uploads: Upload[]
  attach: (files: File[]) => void
  /** Takes a file out of the scope (a file attached earlier, not an upload of this visit). */
  removeFromScope?: (fileId: string) => void
  chooseMode: (mode: FileScope['mode']) => void
}

/** The chat's files the server has: this visit's uploads and, in a conversation, earlier ones. */
function attachedFileIds(files: ChatFiles): string[] {
  const ids = new Set(
    files.uploads.flatMap((upload) => (upload.uploaded ? [upload.uploaded.id] : [])),
  )
  if (files.removeFromScope && files.scope.mode === 'files') {
    for (const id of files.scope.fileIds) ids.add(id)
  }
  return [...ids]
}

/**
 * Why sending waits: while a file's bytes are on their way, and then while the server reads it,
 * since answers use only files that are read (a question about a file must not be answered
 * without it). A file that could not be read does not hold the message: its chip says so, and
 * it can be removed. Nor does one whose status cannot be asked (the chip says it is unknown).
 */
export function useSendHold(files: ChatFiles): string | null {
  // With "none of your files" chosen, answers read none: nothing to wait for but the upload.
  const read = files.scope.mode === 'none' ? [] : attachedFileIds(files)
  const statuses = useQueries({ queries: read.map((id) => fileQuery(id)) })
  const uploading = files.uploads.filter((upload) => !upload.uploaded && !upload.error).length
  if (uploading > 0) {
    return uploading === 1
      ? 'Waiting for a file to upload'
      : `Waiting for ${uploading} files to upload`
  }
  const reading = statuses.filter(
    (status) => !status.isError && (!status.data || status.data.status === 'processing'),
  )
  if (reading.length === 0) return null
  const name = reading.length === 1 ? reading[0]?.data?.name : undefined
  if (reading.length > 1) return `Waiting for ${reading.length} files to be read`
  return name ? `Waiting for ${name} to be read` : 'Waiting for a file to be read'
}

/** An existing conversation: each upload joins its scope as soon as the server has it. */
export function useConversationFiles(
  conversationId: string,
  conversation: Conversation | undefined,
): ChatFiles {
  const setScope = useSetFileScope(conversationId)
  const uploads = useUploads(conversationId)
  const scope = fileScopeOf(conversation)
  return {
    group: conversationId,
    scope,
    uploads,
    attach: (files) => {
      for (const file of files) {
        const key = startUpload(conversationId, file, (uploaded) =>
          setScope.mutate({ change: withFile(uploaded.id), uploadKey: key }),
        )
      }
    },
    removeFromScope: (fileId) => setScope.mutate({ change: withoutFile(fileId) }),
    chooseMode: (mode) => {
      if (mode === 'files') return
      setScope.mutate({ change: () => ({ mode }) })
    },
  }
}

/** A chat not created yet: its scope is what the first send sets, before the message goes. */
export function useNewChatFiles(): ChatFiles {
  const uploads = useUploads(newChatDraftKey)
  const [choice, setChoice] = useState<'all' | 'none' | null>(null)
  const fileIds = uploads.flatMap((upload) => (upload.uploaded ? [upload.uploaded.id] : []))
  const scope: FileScope =
    choice === 'all'
      ? { mode: 'all' }
      : choice === 'none' || fileIds.length === 0
        ? { mode: 'none' }
        : { mode: 'files', fileIds }
  return {
    group: newChatDraftKey,
    scope,
    uploads,
    attach: (files) => {
      if (choice === 'none') setChoice(null)
      for (const file of files) startUpload(newChatDraftKey, file)
    },
    chooseMode: (mode) => setChoice(mode === 'files' ? null : mode),
  }
}
