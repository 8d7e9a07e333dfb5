import type { Conversation } from '@parley/schema/contracts'
import { type FormEvent, useState } from 'react'
import { Link } from 'wouter'
import { IconButton } from '../../../components/ui/icon-button.tsx'

export const untitled = 'New chat'

interface ConversationListItemProps {
  conversation: Conversation
  active: boolean
  onRename: (title: string) => void
  onDelete: () => void
  onNavigate?: (() => void) | undefined
}

/** A conversation in the sidebar, renamed in place and deleted after a confirmation. */
export function ConversationListItem({
  conversation,
  active,
  onRename,
  onDelete,
  onNavigate,
}: ConversationListItemProps) {
  const [editing, setEditing] = useState(false)
  const title = conversation.title ?? untitled

  if (editing) {
    const save = (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault()
      const value = new FormData(event.currentTarget).get('title')
      const next = typeof value === 'string' ? value.trim() : ''
      setEditing(false)
      if (next && next !== conversation.title) onRename(next)
    }
    return (
      <li className="conversation conversation--editing">
        <form onSubmit={save} className="conversation__rename">
          <input
            name="title"
            className="input input--compact"
            aria-label="Conversation title"
            defaultValue={conversation.title ?? ''}
            maxLength={200}
            // biome-ignore lint/a11y/noAutofocus: the user just asked to edit this title
            autoFocus
            onFocus={(event) => event.currentTarget.select()}
            onKeyDown={(event) => {
              if (event.key === 'Escape') setEditing(false)
            }}
            onBlur={(event) => event.currentTarget.form?.requestSubmit()}
          />
        </form>
      </li>
    )
  }

  return (
    <li className={`conversation${active ? ' conversation--active' : ''}`}>
      <Link
        href={`/c/${conversation.id}`}
        className="conversation__link"
        aria-current={active ? 'page' : undefined}
        onClick={onNavigate}
      >
        {title}
      </Link>
      <span className="conversation__actions">
        <IconButton icon="pencil" label={`Rename “${title}”`} onClick={() => setEditing(true)} />
        <IconButton icon="trash" label={`Delete “${title}”`} onClick={onDelete} />
      </span>
    </li>
  )
}
