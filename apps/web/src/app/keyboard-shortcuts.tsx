import { useEffect, useState } from 'react'
import { useLocation } from 'wouter'
import { Dialog } from '../components/ui/dialog.tsx'
import { openSearch } from '../features/search/stores/search-store.ts'

const shortcuts: [keys: string, what: string][] = [
  ['Enter', 'Send the message'],
  ['Shift + Enter', 'New line'],
  ['Esc', 'Stop the reply being written'],
  ['Ctrl (⌘) + Shift + O', 'New chat'],
  ['Ctrl (⌘) + K', 'Search messages and files'],
  ['↑ in an empty message box', 'Edit your last message'],
  ['?', 'Show these shortcuts'],
]

/** Typing into a field must not trigger single-key shortcuts. */
const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))

/** App-wide keys: Ctrl/Cmd+Shift+O opens a new chat, Ctrl/Cmd+K searches, `?` lists them all. */
export function KeyboardShortcuts() {
  const [, navigate] = useLocation()
  const [open, setOpen] = useState(false)

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.shiftKey && event.key.toLowerCase() === 'o') {
        event.preventDefault()
        navigate('/')
      } else if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key === 'k') {
        event.preventDefault()
        openSearch()
      } else if (event.key === '?' && !event.ctrlKey && !event.metaKey && !isTyping(event.target)) {
        event.preventDefault()
        setOpen(true)
      }
    }
    document.addEventListener('keydown', onKeyDown)
    return () => document.removeEventListener('keydown', onKeyDown)
  }, [navigate])

  return (
    <Dialog open={open} onClose={() => setOpen(false)} title="Keyboard shortcuts">
      <dl className="shortcut-list">
        {shortcuts.map(([keys, what]) => (
          <div key={keys} className="shortcut-list__row">
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <div className="dialog__actions">
        <button type="button" className="button button--primary" onClick={() => setOpen(false)}>
          Close
        </button>
      </div>
    </Dialog>
  )
}
