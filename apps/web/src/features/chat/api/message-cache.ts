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

const emptyPages = (): MessagePages => ({
  pages: [{ items: [], nextCursor: null }],
  pageParams: [undefined],
})

/** The last message of the thread the conversation shows, if it has one. */
export function shownLeafId(client: QueryClient, conversationId: string): string | undefined {
  return flattenPages(client.getQueryData<MessagePages>(queryKeys.messages(conversationId))).at(-1)
    ?.id
}

/** Adds messages at the end of the thread, or replaces those already there (same id). */
export function upsertMessages(client: QueryClient, conversationId: string, messages: Message[]) {
  client.setQueryData<MessagePages>(queryKeys.messages(conversationId), (current) => {
    const data = current && current.pages.length > 0 ? current : emptyPages()
    const pages = [...data.pages]
    for (const message of messages) {
      const at = pages.findIndex((page) => page.items.some((item) => item.id === message.id))
      // New messages join the newest page, which is the first.
      const index = Math.max(at, 0)
      const page = pages[index]
      if (!page) continue
      const items =
        at === -1
          ? [...page.items, message]
          : page.items.map((item) => (item.id === message.id ? message : item))
      pages[index] = { ...page, items }
    }
    return { ...data, pages }
  })
}

/** Changes one message in place, wherever its page is; a message not loaded is left alone. */
export function patchMessage(
  client: QueryClient,
  conversationId: string,
  messageId: string,
  patch: Partial<Message>,
) {
  client.setQueryData<MessagePages>(queryKeys.messages(conversationId), (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((page) =>
            page.items.some((item) => item.id === messageId)
              ? {
                  ...page,
                  items: page.items.map((item) =>
                    item.id === messageId ? { ...item, ...patch } : item,
                  ),
                }
              : page,
          ),
        }
      : data,
  )
}

export function removeMessage(client: QueryClient, conversationId: string, messageId: string) {
  client.setQueryData<MessagePages>(queryKeys.messages(conversationId), (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((page) =>
            page.items.some((item) => item.id === messageId)
              ? { ...page, items: page.items.filter((item) => item.id !== messageId) }
              : page,
          ),
        }
      : data,
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

/**
 * Cuts the cached thread just before `messageId`: an edit or a regeneration there starts a new
 * branch, and what followed belongs to the old one. Returns the thread as it was, to put back.
 */
export function cutThreadAt(
  client: QueryClient,
  conversationId: string,
  messageId: string,
): MessagePages | undefined {
  const key = queryKeys.messages(conversationId)
  const previous = client.getQueryData<MessagePages>(key)
  const thread = flattenPages(previous)
  const at = thread.findIndex((message) => message.id === messageId)
  if (!previous || at === -1) return previous
  const dropped = new Set(thread.slice(at).map((message) => message.id))
  client.setQueryData<MessagePages>(key, {
    ...previous,
    pages: previous.pages.map((page) => ({
      ...page,
      items: page.items.filter((item) => !dropped.has(item.id)),
    })),
  })
  return previous
}

/** Puts back a thread `cutThreadAt` returned. */
export function restoreThread(
  client: QueryClient,
  conversationId: string,
  previous: MessagePages | undefined,
) {
  if (previous) client.setQueryData(queryKeys.messages(conversationId), previous)
}

/** Replaces the cached thread with its newest page, as the server shows it now. */
export function replaceThread(client: QueryClient, conversationId: string, page: MessagePage) {
  client.setQueryData<MessagePages>(queryKeys.messages(conversationId), {
    pages: [page],
    pageParams: [undefined],
  })
}
