import type { Message } from '@parley/schema/contracts'
import { useVirtualizer } from '@tanstack/react-virtual'
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef } from 'react'
import { Spinner } from '../../../components/ui/spinner.tsx'
import { TypingIndicator } from '../../../components/ui/typing-indicator.tsx'
import type { LiveTurn } from '../stores/stream-store.ts'
import { type FeedbackHandler, MessageBubble } from './message-bubble.tsx'

type Row = { kind: 'history' } | { kind: 'message'; message: Message } | { kind: 'waiting' }

interface MessageListProps {
  messages: Message[]
  turn: LiveTurn | undefined
  hasOlder: boolean
  loadingOlder: boolean
  onLoadOlder: () => void
  onRegenerate: (messageId: string) => void
  onFeedback: FeedbackHandler
  onEdit: (message: Message, content: string) => void
  onSwitchBranch: (messageId: string) => void
  /** Changes when the user sends, to bring the end of the thread back into view. */
  followKey: number
  /** A message to bring into view and mark (a search result). */
  highlightId?: string | null
}

/** Rough heights before measuring: a line of text is about 80 characters and 26 px. */
function estimateRow(row: Row | undefined): number {
  if (row?.kind !== 'message') return 56
  const lines = row.message.content
    .split('\n')
    .reduce((sum, line) => sum + Math.max(1, Math.ceil(line.length / 80)), 0)
  return 64 + lines * 26
}

/**
 * The thread, virtualised: only the messages near the viewport are in the DOM, so a
 * conversation of thousands of messages scrolls and streams as smoothly as a short one.
 * It stays pinned to the end while a reply grows, unless the reader has scrolled up.
 */
export function MessageList({
  messages,
  turn,
  hasOlder,
  loadingOlder,
  onLoadOlder,
  onRegenerate,
  onFeedback,
  onEdit,
  onSwitchBranch,
  followKey,
  highlightId = null,
}: MessageListProps) {
  const scrollRef = useRef<HTMLElement>(null)
  const waiting = turn?.phase === 'waiting'
  const rows = useMemo(() => {
    const list: Row[] = [{ kind: 'history' }]
    for (const message of messages) list.push({ kind: 'message', message })
    if (waiting) list.push({ kind: 'waiting' })
    return list
  }, [messages, waiting])
  const getItemKey = useCallback(
    (index: number) => {
      const row = rows[index]
      return row?.kind === 'message' ? row.message.id : (row?.kind ?? index)
    },
    [rows],
  )
  const estimateSize = useCallback((index: number) => estimateRow(rows[index]), [rows])

  const busy = turn !== undefined

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize,
    getItemKey,
    overscan: 6,
    paddingEnd: 16,
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: 48,
    directDomUpdates: true,
  })

  // Open at the newest message, and come back to it whenever the user sends.
  useLayoutEffect(() => {
    virtualizer.scrollToEnd()
  }, [followKey, virtualizer])

  // A search result is brought to the middle of the view once (after the end was shown); older
  // pages loading above it later must not pull the reader back to it.
  const highlightIndex = highlightId
    ? rows.findIndex((row) => row.kind === 'message' && row.message.id === highlightId)
    : -1
  const shownHighlight = useRef<string | null>(null)
  useLayoutEffect(() => {
    if (highlightIndex < 0 || shownHighlight.current === highlightId) return
    shownHighlight.current = highlightId
    virtualizer.scrollToIndex(highlightIndex, { align: 'center' })
  }, [highlightId, highlightIndex, virtualizer])

  const items = virtualizer.getVirtualItems()
  const firstIndex = items[0]?.index ?? 0
  useEffect(() => {
    if (firstIndex <= 1 && hasOlder && !loadingOlder) onLoadOlder()
  }, [firstIndex, hasOlder, loadingOlder, onLoadOlder])

  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section ref={scrollRef} className="thread" tabIndex={0} aria-label="Messages">
      <div ref={virtualizer.containerRef} className="thread__rows">
        {items.map((item) => {
          const row = rows[item.index]
          return (
            <div
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className={`thread__row${item.index === highlightIndex ? ' thread__row--found' : ''}`}
            >
              {row?.kind === 'message' && (
                <MessageBubble
                  message={row.message}
                  busy={busy}
                  onRegenerate={onRegenerate}
                  onFeedback={onFeedback}
                  onEdit={onEdit}
                  onSwitchBranch={onSwitchBranch}
                />
              )}
              {row?.kind === 'waiting' && (
                <article className="message message--assistant" aria-label="Reply">
                  <TypingIndicator />
                </article>
              )}
              {row?.kind === 'history' && (
                <div className="thread__history">
                  {loadingOlder ? (
                    <Spinner label="Loading earlier messages" />
                  ) : hasOlder ? null : messages.length > 0 ? (
                    <span>Beginning of the conversation</span>
                  ) : (
                    <span>No messages yet. Write the first one below.</span>
                  )}
                </div>
              )}
            </div>
          )
        })}
      </div>
    </section>
  )
}
