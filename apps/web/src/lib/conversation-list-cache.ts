import type { Conversation, Page } from '@parley/schema/contracts'
import type { InfiniteData, QueryClient } from '@tanstack/react-query'
import { queryKeys } from './query-keys.ts'

export type ConversationPages = InfiniteData<Page<Conversation>, unknown>

function edit(
  client: QueryClient,
  change: (pages: Page<Conversation>[]) => Page<Conversation>[],
): ConversationPages | undefined {
  const previous = client.getQueryData<ConversationPages>(queryKeys.conversationList)
  if (previous) {
    client.setQueryData<ConversationPages>(queryKeys.conversationList, {
      ...previous,
      pages: change(previous.pages),
    })
  }
  return previous
}

/** Puts a new conversation at the top of the list; returns the list as it was. */
export const prependConversation = (client: QueryClient, conversation: Conversation) =>
  edit(client, (pages) =>
    pages.map((page, i) => (i === 0 ? { ...page, items: [conversation, ...page.items] } : page)),
  )

/** Applies a change to one conversation in the list; returns the list as it was. */
export const patchConversationInList = (
  client: QueryClient,
  id: string,
  patch: Partial<Conversation>,
) =>
  edit(client, (pages) =>
    pages.map((page) => ({
      ...page,
      items: page.items.map((item) => (item.id === id ? { ...item, ...patch } : item)),
    })),
  )

/** Takes a conversation out of the list; returns the list as it was. */
export const removeConversationFromList = (client: QueryClient, id: string) =>
  edit(client, (pages) =>
    pages.map((page) => ({ ...page, items: page.items.filter((item) => item.id !== id) })),
  )

export function restoreConversationList(
  client: QueryClient,
  previous: ConversationPages | undefined,
) {
  if (previous) client.setQueryData(queryKeys.conversationList, previous)
}
