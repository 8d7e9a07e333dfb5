import type { Conversation, FileScope } from '@parley/schema/contracts'
import { useState } from 'react'
import { fileScopeOf } from '../../../../lib/file-queries.ts'
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

/** Why sending waits, while a file's bytes are still on their way. */
export function holdReason(uploads: Upload[]): string | null {
  const pending = uploads.filter((upload) => !upload.uploaded && !upload.error).length
  if (pending === 0) return null
  return pending === 1 ? 'Waiting for a file to upload' : `Waiting for ${pending} files to upload`
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
