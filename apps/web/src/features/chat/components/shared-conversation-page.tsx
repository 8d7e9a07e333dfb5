import type { SharedMessage } from '@parley/schema/contracts'
import type { ReactNode } from 'react'
import { Link } from 'wouter'
import { Spinner } from '../../../components/ui/spinner.tsx'
import { ApiRequestError, describeError } from '../../../lib/api-error.ts'
import { useAuthState } from '../../../lib/session.ts'
import { useSharedConversation } from '../api/get-shared-conversation.ts'
import { LazyMarkdown } from './lazy-markdown.tsx'
import './chat.css'
import './share.css'
import { BrandMark } from '../../../components/ui/brand-mark.tsx'

const untitled = 'Untitled conversation'

function SharedMessageView({ message }: { message: SharedMessage }) {
  if (message.role === 'user') {
    return (
      <article className="message message--user" aria-label="User message">
        <div className="message__bubble">{message.content}</div>
      </article>
    )
  }
  return (
    <article className="message message--assistant" aria-label="Reply">
      {message.content && <LazyMarkdown text={message.content} />}
      {message.model && <p className="shared-page__model">{message.model}</p>}
    </article>
  )
}

function SharedFrame({ children }: { children: ReactNode }) {
  const signedIn = useAuthState() === 'signed-in'
  return (
    <div className="shared-page">
      <meta name="robots" content="noindex" />
      <header className="shared-page__header">
        <span className="shared-page__brand">
          <BrandMark />
          Parley
        </span>
        <Link href={signedIn ? '/' : '/sign-in'} className="button button--small">
          {signedIn ? 'Open Parley' : 'Sign in to Parley'}
        </Link>
      </header>
      <main className="shared-page__main">{children}</main>
    </div>
  )
}

/**
 * A shared conversation as anyone with its link sees it, signed in or not: the snapshot its
 * owner published, or why there is none (revoked, unknown).
 */
export function SharedConversationPage({ shareId }: { shareId: string }) {
  const shared = useSharedConversation(shareId)

  if (shared.isPending) {
    return (
      <SharedFrame>
        <title>Shared conversation · Parley</title>
        <div className="page-loading">
          <Spinner label="Loading the conversation" />
        </div>
      </SharedFrame>
    )
  }
  if (shared.isError) {
    const error = shared.error
    const code = error instanceof ApiRequestError ? error.code : null
    return (
      <SharedFrame>
        <title>Shared conversation · Parley</title>
        <div className="empty-state" role={code ? 'status' : 'alert'}>
          {code === 'share_revoked' ? (
            <>
              <h1>This link was revoked</h1>
              <p>Its owner no longer shares this conversation.</p>
            </>
          ) : code === 'not_found' ? (
            <>
              <h1>Shared conversation not found</h1>
              <p>Check the link: no conversation is shared under it.</p>
            </>
          ) : (
            <>
              <h1>This conversation did not load</h1>
              <p>{describeError(error)}</p>
              <button
                type="button"
                className="button button--primary"
                onClick={() => void shared.refetch()}
              >
                Try again
              </button>
            </>
          )}
        </div>
      </SharedFrame>
    )
  }

  const { title, messages, createdAt } = shared.data
  return (
    <SharedFrame>
      <title>{`${title ?? untitled} · Shared on Parley`}</title>
      <div className="shared-page__intro">
        <h1 className="shared-page__heading">Shared conversation</h1>
        <h2 className="shared-page__title">{title ?? untitled}</h2>
        <p className="shared-page__when">
          Shared{' '}
          <time dateTime={createdAt}>
            {new Date(createdAt).toLocaleString(undefined, {
              dateStyle: 'medium',
              timeStyle: 'short',
            })}
          </time>
        </p>
      </div>
      <section className="shared-page__thread" aria-label="Messages">
        {/* The snapshot never changes: a message's place in it is its identity. */}
        {messages.map((message, index) => (
          <SharedMessageView key={index} message={message} />
        ))}
      </section>
    </SharedFrame>
  )
}
