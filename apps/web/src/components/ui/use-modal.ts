import { type MouseEvent, type SyntheticEvent, useEffect, useRef } from 'react'
import { trapTab } from './trap-focus.ts'

/**
 * Shared behaviour of the modals built on the native `<dialog>`: shown modally while `open`,
 * focus kept inside, Escape or a click on the backdrop calls `onClose`, and focus returns to
 * where it was when the modal closes.
 */
export function useModal(open: boolean, onClose: () => void) {
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

  return {
    ref,
    onKeyDown: trapTab,
    onCancel: (event: SyntheticEvent<HTMLDialogElement>) => {
      event.preventDefault()
      onClose()
    },
    // A click on the backdrop lands on the dialog element itself.
    onClick: (event: MouseEvent<HTMLDialogElement>) => {
      if (event.target === ref.current) onClose()
    },
  }
}
