import type { ReactNode } from 'react'
import { Dialog } from './dialog.tsx'

/**
 * Asks before something that cannot be taken back. Cancel, the safe choice, takes focus; the
 * dangerous one is named for what it does ("Delete", "Disable").
 */
export function ConfirmDialog<T>({
  subject,
  title,
  confirmLabel,
  onConfirm,
  onClose,
  children,
}: {
  /** What is asked about; the dialog is open while it is not null. */
  subject: T | null
  title: string
  confirmLabel: string
  onConfirm: (subject: T) => void
  onClose: () => void
  children: ReactNode
}) {
  return (
    <Dialog open={subject !== null} onClose={onClose} title={title}>
      {children}
      <div className="dialog__actions">
        {/* biome-ignore lint/a11y/noAutofocus: the safe choice takes focus in a destructive dialog */}
        <button type="button" className="button" onClick={onClose} autoFocus>
          Cancel
        </button>
        <button
          type="button"
          className="button button--danger"
          onClick={() => subject !== null && onConfirm(subject)}
        >
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  )
}
