import type { Message } from '@parley/schema/contracts'
import { maxUserMessageChars } from '@parley/schema/limits'
import { type FormEvent, useEffect, useId, useRef, useState } from 'react'
import { CopyButton } from '../../../components/ui/copy-button.tsx'
import { IconButton } from '../../../components/ui/icon-button.tsx'
import { startEditing, stopEditing, useIsEditing } from '../stores/edit-store.ts'
import { BranchSwitcher } from './branch-switcher.tsx'

interface MessageEditorProps {
  initial: string
  onSubmit: (content: string) => void
  onCancel: () => void
}

/** Edits a sent message in place; sending makes a new version beside the old one. */
function MessageEditor({ initial, onSubmit, onCancel }: MessageEditorProps) {
  const [text, setText] = useState(initial)
  const input = useRef<HTMLTextAreaElement>(null)
  const id = useId()
  useEffect(() => {
    const box = input.current
    box?.focus()
    box?.setSelectionRange(box.value.length, box.value.length)
  }, [])
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (text.trim()) onSubmit(text)
  }
  return (
    <form className="message-editor" onSubmit={submit}>
      <label className="sr-only" htmlFor={id}>
        Edit message
      </label>
      <textarea
        id={id}
        ref={input}
        className="input message-editor__input"
        rows={3}
        maxLength={maxUserMessageChars}
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.stopPropagation()
            onCancel()
          }
        }}
      />
      <div className="message-editor__actions">
        <button type="button" className="button button--small button--ghost" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button--small button--primary"
          disabled={!text.trim()}
        >
          Send
        </button>
      </div>
    </form>
  )
}

interface UserMessageProps {
  message: Message
  busy: boolean
  onEdit: ((message: Message, content: string) => void) | undefined
  onSwitchBranch: ((messageId: string) => void) | undefined
}

/** A message the user sent: plain text, with copy, edit and its versions. */
export function UserMessage({ message, busy, onEdit, onSwitchBranch }: UserMessageProps) {
  const editing = useIsEditing(message.id)
  if (editing && onEdit) {
    return (
      <article className="message message--user message--editing" aria-label="Your message">
        <MessageEditor
          initial={message.content}
          onCancel={stopEditing}
          onSubmit={(content) => {
            stopEditing()
            onEdit(message, content)
          }}
        />
      </article>
    )
  }
  return (
    <article className="message message--user" aria-label="Your message">
      <div className="message__bubble">{message.content}</div>
      <footer className="message__footer">
        <CopyButton text={message.content} label="Copy message" />
        {onEdit && !busy && (
          <IconButton icon="pencil" label="Edit message" onClick={() => startEditing(message.id)} />
        )}
        {onSwitchBranch && (
          <BranchSwitcher message={message} disabled={busy} onSwitch={onSwitchBranch} />
        )}
      </footer>
    </article>
  )
}
