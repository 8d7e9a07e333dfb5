import type { Message } from '@parley/schema/contracts'
import type { InfiniteData, QueryClient } from '@tanstack/react-query'
import type { MessagePage } from '../../../lib/api-client.ts'
import { queryKeys } from '../../../lib/query-keys.ts'

export type MessagePages = InfiniteData<MessagePage, unknown>

/** The thread oldest first: pages arrive newest first, each page oldest first. */
export function flattenPages(data: MessagePages | undefined): Message[] {
  if (!data) return []
  const seen = new Set<string>()
  const thread: Message[] = []
  for (let i = data.pages.length - 1; i >= 0; i--) {
    for (const message of data.pages[i]?.items ?? []) {
      if (seen.has(message.id)) continue
      seen.add(message.id)
      thread.push(message)
    }
  }
  return thread
}

function update(
  client: QueryClient,
  conversationId: string,
  change: (newest: Message[]) => Message[],
  where: (message: Message) => boolean = () => false,
) {
  client.setQueryData<MessagePages>(queryKeys.messages(conversationId), (data) => {
    if (!data || data.pages.length === 0) {
      return { pages: [{ items: change([]), nextCursor: null }], pageParams: [undefined] }
    }
    // A message lives in whichever page holds it; new ones join the newest page.
    const pageIndex = Math.max(
      0,
      data.pages.findIndex((page) => page.items.some(where)),
    )
    return {
      ...data,
      pages: data.pages.map((page, i) =>
        i === pageIndex ? { ...page, items: change(page.items) } : page,
      ),
    }
  })
}

/** Adds messages at the end of the thread, or replaces those already there (same id). */
export function upsertMessages(client: QueryClient, conversationId: string, messages: Message[]) {
  for (const message of messages) {
    update(
      client,
      conversationId,
      (items) => {
        const index = items.findIndex((item) => item.id === message.id)
        if (index === -1) return [...items, message]
        const next = [...items]
        next[index] = message
        return next
      },
      (item) => item.id === message.id,
    )
  }
}

export function removeMessage(client: QueryClient, conversationId: string, messageId: string) {
  update(
    client,
    conversationId,
    (items) => items.filter((item) => item.id !== messageId),
    (item) => item.id === messageId,
  )
}

export function findMessage(
  client: QueryClient,
  conversationId: string,
  messageId: string,
): Message | undefined {
  const data = client.getQueryData<MessagePages>(queryKeys.messages(conversationId))
  return flattenPages(data).find((message) => message.id === messageId)
}
