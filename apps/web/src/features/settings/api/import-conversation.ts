import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../lib/api-client.ts'
import { prependConversation } from '../../../lib/conversation-list-cache.ts'
import { queryKeys } from '../../../lib/query-keys.ts'

/** A file that is not JSON at all: the server is not asked. */
export class NotJsonError extends Error {
  override readonly name = 'NotJsonError'
}

/** Creates a new conversation from an exported JSON file, and lists it first. */
export function useImportConversation() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: async (file: File) => {
      let document: unknown
      try {
        document = JSON.parse(await file.text())
      } catch {
        throw new NotJsonError(`${file.name} is not a JSON file.`)
      }
      return api.conversations.import(document)
    },
    onSuccess: (conversation) => {
      prependConversation(client, conversation)
      void client.invalidateQueries({ queryKey: queryKeys.conversationList })
    },
  })
}
