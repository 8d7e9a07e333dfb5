import type { Conversation } from '@parley/schema/contracts'
import { useEffect, useMemo, useRef, useState } from 'react'
import { useLocation } from 'wouter'
import { Spinner } from '../../../components/ui/spinner.tsx'
import { describeError } from '../../../lib/api-error.ts'
import { useDeleteConversation } from '../api/delete-conversation.ts'
import { useConversations } from '../api/get-conversations.ts'
import { useRenameConversation } from '../api/rename-conversation.ts'
import { ConversationListItem } from './conversation-list-item.tsx'
import { DeleteConversationDialog } from './delete-conversation-dialog.tsx'
import './conversation-list.css'

const dayMs = 86_400_000

function groupOf(iso: string, now: number): string {
  const startOfToday = new Date(now).setHours(0, 0, 0, 0)
  const time = new Date(iso).getTime()
  if (time >= startOfToday) return 'Today'
  if (time >= startOfToday - dayMs) return 'Yesterday'
  if (time >= startOfToday - 7 * dayMs) return 'Previous 7 days'
  if (time >= startOfToday - 30 * dayMs) return 'Previous 30 days'
  return 'Older'
}

function groupByDay(conversations: Conversation[]) {
  const now = Date.now()
  const groups: { label: string; items: Conversation[] }[] = []
  for (const conversation of conversations) {
    const label = groupOf(conversation.lastMessageAt, now)
    const last = groups.at(-1)
    if (last?.label === label) last.items.push(conversation)
    else groups.push({ label, items: [conversation] })
  }
  return groups
}

/** The user's conversations, newest activity first; more load as the list scrolls. */
export function ConversationList({
  activeId,
  onNavigate,
}: {
  activeId: string | null
  onNavigate?: () => void
}) {
  const list = useConversations()
  const rename = useRenameConversation()
  const remove = useDeleteConversation()
  const [, navigate] = useLocation()
  const [deleting, setDeleting] = useState<Conversation | null>(null)
  const sentinel = useRef<HTMLDivElement>(null)
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list

  const conversations = useMemo(
    () => list.data?.pages.flatMap((page) => page.items) ?? [],
    [list.data],
  )
  const groups = useMemo(() => groupByDay(conversations), [conversations])

  useEffect(() => {
    const target = sentinel.current
    if (!target || !hasNextPage) return
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting) && !isFetchingNextPage) {
          void fetchNextPage()
        }
      },
      { rootMargin: '200px' },
    )
    observer.observe(target)
    return () => observer.disconnect()
  }, [hasNextPage, isFetchingNextPage, fetchNextPage])

  const confirmDelete = (conversation: Conversation) => {
    setDeleting(null)
    remove.mutate(conversation.id)
    if (conversation.id === activeId) navigate('/')
  }

  if (list.isPending) {
    return (
      <div className="conversation-list__status">
        <Spinner label="Loading conversations" />
      </div>
    )
  }
  if (list.isError) {
    return (
      <div className="conversation-list__status" role="alert">
        <p>{describeError(list.error)}</p>
        <button type="button" className="button button--small" onClick={() => void list.refetch()}>
          Try again
        </button>
      </div>
    )
  }

  return (
    <nav className="conversation-list" aria-label="Conversations">
      {conversations.length === 0 ? (
        <p className="conversation-list__empty">Your conversations will appear here.</p>
      ) : (
        groups.map((group) => (
          <section key={group.label} className="conversation-group" aria-label={group.label}>
            <h2 className="conversation-group__label">{group.label}</h2>
            <ul>
              {group.items.map((conversation) => (
                <ConversationListItem
                  key={conversation.id}
                  conversation={conversation}
                  active={conversation.id === activeId}
                  onNavigate={onNavigate}
                  onRename={(title) => rename.mutate({ id: conversation.id, title })}
                  onDelete={() => setDeleting(conversation)}
                />
              ))}
            </ul>
          </section>
        ))
      )}
      <div ref={sentinel} className="conversation-list__more">
        {isFetchingNextPage && <Spinner label="Loading more conversations" />}
      </div>
      <DeleteConversationDialog
        conversation={deleting}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      />
    </nav>
  )
}
