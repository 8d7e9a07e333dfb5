import type { Conversation } from '@parley/schema/contracts'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog.tsx'
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
    <ConfirmDialog
      subject={conversation}
      title="Delete conversation?"
      confirmLabel="Delete"
      onConfirm={onConfirm}
      onClose={onClose}
    >
      <p>
        “{conversation?.title ?? untitled}” and all its messages will be deleted. This cannot be
        undone.
      </p>
    </ConfirmDialog>
  )
}
