import type { Message } from '@parley/schema/contracts'
import { useEffect } from 'react'
import { Icon } from '../../../components/ui/icon.tsx'

interface ThreadPages {
  isPending: boolean
  hasNextPage: boolean
  isFetchingNextPage: boolean
  fetchNextPage: () => unknown
}

/**
 * Finds a message a search led to: older pages are read until it shows up. Once the whole
 * thread is read without it, it is on another branch (`offBranch`).
 */
export function useMessageJump(targetId: string | null, thread: Message[], pages: ThreadPages) {
  const found = targetId !== null && thread.some((message) => message.id === targetId)
  const looking = targetId !== null && !found && !pages.isPending
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages
  useEffect(() => {
    if (looking && hasNextPage && !isFetchingNextPage) void fetchNextPage()
  }, [looking, hasNextPage, isFetchingNextPage, fetchNextPage])
  return {
    highlightId: found ? targetId : null,
    offBranch: looking && !hasNextPage && !isFetchingNextPage,
  }
}

/** Says the message searched for is not on the branch shown, and offers to show its branch. */
export function OffBranchNotice({
  onShow,
  onDismiss,
}: {
  onShow: () => void
  onDismiss: () => void
}) {
  return (
    <div className="turn-failure" role="status">
      <Icon name="alert" size={16} />
      <p>The message you searched for is on another version of this conversation.</p>
      <button type="button" className="button button--primary button--small" onClick={onShow}>
        Show that version
      </button>
      <button type="button" className="button button--small" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  )
}
