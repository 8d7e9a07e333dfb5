import type { ReactNode } from 'react'
import { useModal } from './use-modal.ts'

/**
 * A panel sliding in from the side on small screens, modal like a dialog: focus stays inside
 * and Escape or a tap outside closes it.
 */
export function Drawer({
  open,
  onClose,
  label,
  children,
}: {
  open: boolean
  onClose: () => void
  label: string
  children: ReactNode
}) {
  const modal = useModal(open, onClose)

  return (
    <dialog {...modal} className="drawer" aria-label={label}>
      {open && children}
    </dialog>
  )
}
