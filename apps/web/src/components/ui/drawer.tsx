import { type ReactNode, useEffect, useRef } from 'react'
import { trapTab } from './trap-focus.ts'

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
  const ref = useRef<HTMLDialogElement>(null)

  useEffect(() => {
    const dialog = ref.current
    if (!dialog || !open) return
    const returnFocus =
      document.activeElement instanceof HTMLElement ? document.activeElement : null
    dialog.showModal()
    return () => {
      dialog.close()
      if (returnFocus?.isConnected) returnFocus.focus()
    }
  }, [open])

  return (
    <dialog
      ref={ref}
      className="drawer"
      aria-label={label}
      onKeyDown={trapTab}
      onCancel={(event) => {
        event.preventDefault()
        onClose()
      }}
      onClick={(event) => {
        if (event.target === ref.current) onClose()
      }}
    >
      {open && children}
    </dialog>
  )
}
