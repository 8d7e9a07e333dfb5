import { maxUserMessageChars } from '@parley/schema/limits'
import {
  type ClipboardEvent,
  type FormEvent,
  type KeyboardEvent,
  type ReactNode,
  type RefObject,
  useEffect,
  useId,
  useRef,
} from 'react'
import { IconButton } from '../../../components/ui/icon-button.tsx'
import { setDraft, useDraft } from '../stores/draft-store.ts'

interface ComposerProps {
  /** Whose draft this is: a conversation id, or the new-chat key. */
  draftKey: string
  /** A reply is on its way: sending waits, and Stop is offered instead. */
  busy: boolean
  onSend: (text: string) => void
  onStop?: () => void
  /** Focus the text box when the composer appears (not on touch screens). */
  autoFocus?: boolean
  /** Up-arrow in the empty box: edit the last message sent. */
  onEditLast?: () => void
  /** The text box, for a page that puts text in it and focuses it (an example prompt). */
  inputRef?: RefObject<HTMLTextAreaElement | null>
  /** Controls beside the text box (attaching a file). */
  tools?: ReactNode
  /** Files pasted into the text box. */
  onPasteFiles?: (files: File[]) => void
  /** Why sending waits for now (a file still uploading); the text can still be written. */
  hold?: string | null
}

/** Where the user writes: Enter sends, Shift+Enter starts a new line; drafts are kept per chat. */
export function Composer({
  draftKey,
  busy,
  onSend,
  onStop,
  autoFocus = false,
  onEditLast,
  inputRef,
  tools,
  onPasteFiles,
  hold = null,
}: ComposerProps) {
  const text = useDraft(draftKey)
  const ownInput = useRef<HTMLTextAreaElement>(null)
  const input = inputRef ?? ownInput
  const id = useId()
  const overBy = text.length - maxUserMessageChars
  const canSend = !busy && hold === null && text.trim().length > 0 && overBy <= 0

  useEffect(() => {
    if (autoFocus && draftKey && window.matchMedia('(pointer: fine)').matches) {
      input.current?.focus()
    }
  }, [autoFocus, draftKey])

  const send = () => {
    if (!canSend) return
    onSend(text)
    setDraft(draftKey, '')
    input.current?.focus()
  }

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'ArrowUp' && text === '' && onEditLast && !busy) {
      event.preventDefault()
      onEditLast()
      return
    }
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return
    event.preventDefault()
    send()
  }

  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = [...event.clipboardData.files]
    if (files.length === 0 || !onPasteFiles) return
    event.preventDefault()
    onPasteFiles(files)
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    send()
  }

  return (
    <form className="composer" onSubmit={onSubmit}>
      {tools}
      <label className="sr-only" htmlFor={id}>
        Message
      </label>
      <textarea
        id={id}
        ref={input}
        className="composer__input"
        rows={1}
        placeholder="Message Parley"
        value={text}
        onChange={(event) => setDraft(draftKey, event.target.value)}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
        aria-describedby={`${id}-hint ${id}-limit`}
        aria-invalid={overBy > 0}
        enterKeyHint="send"
      />
      <p id={`${id}-hint`} className="sr-only">
        Enter sends, Shift+Enter adds a new line.
      </p>
      <p
        id={`${id}-limit`}
        className={`composer__limit${overBy <= 0 && hold ? ' composer__limit--note' : ''}`}
        aria-live="polite"
      >
        {overBy > 0
          ? `${overBy.toLocaleString()} characters over the ${maxUserMessageChars.toLocaleString()}-character limit`
          : (hold ?? '')}
      </p>
      {busy && onStop ? (
        <IconButton icon="stop" label="Stop" className="composer__button" onClick={onStop} />
      ) : (
        <IconButton
          icon="send"
          label="Send"
          type="submit"
          className="composer__button composer__button--send"
          disabled={!canSend}
        />
      )}
    </form>
  )
}
