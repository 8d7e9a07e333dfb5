import { type ReactNode, useId } from 'react'
import { useModal } from './use-modal.ts'

interface DialogProps {
  open: boolean
  onClose: () => void
  title: string
  children: ReactNode
  className?: string
}

/**
 * A modal on the native `<dialog>`: the page behind is inert (focus stays inside), Escape
 * closes it, and focus goes back to where it was.
 */
export function Dialog({ open, onClose, title, children, className }: DialogProps) {
  const modal = useModal(open, onClose)
  const titleId = useId()

  return (
    <dialog
      {...modal}
      className={`dialog${className ? ` ${className}` : ''}`}
      aria-labelledby={titleId}
    >
      {open && (
        <div className="dialog__body">
          <h2 id={titleId} className="dialog__title">
            {title}
          </h2>
          {children}
        </div>
      )}
    </dialog>
  )
}
