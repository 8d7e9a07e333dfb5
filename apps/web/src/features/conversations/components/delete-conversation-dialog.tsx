import type { Conversation } from '@parley/schema/contracts'
import { Dialog } from '../../../components/ui/dialog.tsx'
import { untitled } from './conversation-list-item.tsx'

/** Asks before a conversation and all its messages are deleted. */
export function DeleteConversationDialog({
  conversation,
  onConfirm,
  onClose,
}: {
  conversation: Conversation | null
  onConfirm: (conversation: Conversation) => void
  onClose: () => void
}) {
  return (
    <Dialog open={conversation !== null} onClose={onClose} title="Delete conversation?">
      <p>
        “{conversation?.title ?? untitled}” and all its messages will be deleted. This cannot be
        undone.
      </p>
      <div className="dialog__actions">
        {/* biome-ignore lint/a11y/noAutofocus: the safe choice takes focus in a destructive dialog */}
        <button type="button" className="button" onClick={onClose} autoFocus>
          Cancel
        </button>
        <button
          type="button"
          className="button button--danger"
          onClick={() => conversation && onConfirm(conversation)}
        >
          Delete
        </button>
      </div>
    </Dialog>
  )
}
