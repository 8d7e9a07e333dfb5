import type { Conversation, Share } from '@parley/schema/contracts'
import { useEffect, useId, useRef, useState } from 'react'
import { CopyButton } from '../../../components/ui/copy-button.tsx'
import { Dialog } from '../../../components/ui/dialog.tsx'
import { IconButton } from '../../../components/ui/icon-button.tsx'
import { Spinner } from '../../../components/ui/spinner.tsx'
import { FormError } from '../../../components/ui/text-field.tsx'
import { describeError } from '../../../lib/api-error.ts'
import { useCreateShare } from '../api/create-share.ts'
import { useShares } from '../api/get-shares.ts'
import { useRevokeShare } from '../api/revoke-share.ts'
import './share.css'

/** The link's page in this web app, wherever the API that made it runs. */
const pageUrl = (share: Share) => new URL(`/s/${share.id}`, window.location.origin).href

const formatDate = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })

const describeShare = (share: Share) =>
  `${formatDate(share.createdAt)}, ${share.messageCount} ${share.messageCount === 1 ? 'message' : 'messages'}`

function ShareList({
  shares,
  onRevoke,
  revoking,
}: {
  shares: Share[]
  onRevoke: (share: Share) => void
  revoking: string | null
}) {
  if (shares.length === 0) return <p className="share-list__empty">No links yet.</p>
  return (
    <ul className="share-list">
      {shares.map((share) => (
        <li key={share.id} className="share-list__item">
          <span className="share-list__text">
            <a href={pageUrl(share)} target="_blank" rel="noopener noreferrer">
              {describeShare(share)}
            </a>
            {share.revokedAt && <span className="share-list__revoked"> · Revoked</span>}
          </span>
          {!share.revokedAt && (
            <button
              type="button"
              className="button button--small button--danger"
              aria-label={`Revoke the link of ${describeShare(share)}`}
              disabled={revoking === share.id}
              onClick={() => onRevoke(share)}
            >
              Revoke
            </button>
          )}
        </li>
      ))}
    </ul>
  )
}

function SharePanel({ conversationId, onDone }: { conversationId: string; onDone: () => void }) {
  const shares = useShares(conversationId, true)
  const create = useCreateShare(conversationId)
  const revoke = useRevokeShare(conversationId)
  const [error, setError] = useState<string | null>(null)
  const [status, setStatus] = useState('')
  const linkId = useId()
  const linkInput = useRef<HTMLInputElement>(null)
  const listHeading = useRef<HTMLHeadingElement>(null)
  const created = create.data

  // The new link takes focus, selected, ready to copy.
  useEffect(() => {
    if (created) linkInput.current?.focus()
  }, [created])

  const createLink = () => {
    setError(null)
    create.mutate(undefined, {
      onSuccess: () => setStatus('Link created.'),
      onError: (failure) => setError(`No link was made. ${describeError(failure)}`),
    })
  }

  const revokeLink = (share: Share) => {
    setError(null)
    revoke.mutate(share.id, {
      onSuccess: () => {
        setStatus('Link revoked.')
        // Its Revoke button is gone: focus stays in the list instead of falling out of the dialog.
        listHeading.current?.focus()
      },
      onError: (failure) => setError(`The link was not revoked. ${describeError(failure)}`),
    })
  }

  return (
    <>
      <p>
        Anyone with the link can read this conversation as it is now, without signing in. Later
        messages and edits stay private.
      </p>
      <FormError message={error} />
      {created && (
        <div className="field">
          <label className="field__label" htmlFor={linkId}>
            Share link
          </label>
          <div className="share-link">
            <input
              id={linkId}
              ref={linkInput}
              className="input share-link__input"
              readOnly
              value={pageUrl(created)}
              onFocus={(event) => event.currentTarget.select()}
            />
            <CopyButton text={pageUrl(created)} label="Copy link" />
          </div>
        </div>
      )}
      <div className="dialog__actions">
        <button type="button" className="button" onClick={onDone}>
          Close
        </button>
        <button
          type="button"
          className="button button--primary"
          onClick={createLink}
          disabled={create.isPending}
        >
          {created ? 'Create another link' : 'Create link'}
        </button>
      </div>
      <h3 className="share-list__title" ref={listHeading} tabIndex={-1}>
        Links to this conversation
      </h3>
      {shares.isPending ? (
        <Spinner label="Loading links" />
      ) : shares.isError ? (
        <p role="alert">The links did not load. {describeError(shares.error)}</p>
      ) : (
        <ShareList
          shares={shares.data.items}
          onRevoke={revokeLink}
          revoking={revoke.isPending ? (revoke.variables ?? null) : null}
        />
      )}
      <span className="sr-only" role="status">
        {status}
      </span>
    </>
  )
}

/** Share links to the conversation, behind a button in its header: create, copy, revoke. */
export function ShareConversation({ conversation }: { conversation: Conversation | undefined }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <IconButton
        icon="share"
        label="Share"
        disabled={!conversation}
        onClick={() => setOpen(true)}
      />
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title="Share conversation"
        className="share-dialog"
      >
        {conversation && (
          <SharePanel conversationId={conversation.id} onDone={() => setOpen(false)} />
        )}
      </Dialog>
    </>
  )
}
