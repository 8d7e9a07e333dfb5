import type { FeedbackVote, Message, PutFeedbackBody } from '@parley/schema/contracts'
import { memo, useState } from 'react'
import { CopyButton } from '../../../components/ui/copy-button.tsx'
import { Icon } from '../../../components/ui/icon.tsx'
import { IconButton } from '../../../components/ui/icon-button.tsx'
import { LazyMarkdown } from './lazy-markdown.tsx'
import { LiveReply } from './live-reply.tsx'
import { FeedbackForm, VoteButtons } from './reply-feedback.tsx'
import { ReplyUsage } from './reply-usage.tsx'

/** Sets (or with null clears) the caller's vote on a reply. */
export type FeedbackHandler = (messageId: string, next: PutFeedbackBody | null) => void

interface MessageBubbleProps {
  message: Message
  /** The newest reply of the thread: the one that can be regenerated or retried. */
  isLatestReply: boolean
  /** A reply is being produced in this conversation. */
  busy: boolean
  onRegenerate: (messageId: string) => void
  /** Offers thumbs up and down on finished replies. */
  onFeedback?: FeedbackHandler
}

function ReplyNotice({ message }: { message: Message }) {
  if (message.status === 'incomplete' && message.error?.code === 'stopped') {
    return <p className="message__notice message__notice--quiet">Stopped</p>
  }
  if (message.status === 'incomplete' || message.status === 'error') {
    const what = message.status === 'error' ? 'The reply failed' : 'The reply was interrupted'
    return (
      <p className="message__notice message__notice--error" role="alert">
        <Icon name="alert" size={16} />
        <span>
          {what}
          {message.error?.message ? `: ${message.error.message}` : '.'}
        </span>
      </p>
    )
  }
  return null
}

interface ReplyFooterProps {
  message: Message
  canRegenerate: boolean
  failed: boolean
  onRegenerate: (messageId: string) => void
  onFeedback: FeedbackHandler | undefined
}

/** Usage and actions under a finished reply, and the feedback form once the reply is voted on. */
function ReplyFooter({
  message,
  canRegenerate,
  failed,
  onRegenerate,
  onFeedback,
}: ReplyFooterProps) {
  const [formFor, setFormFor] = useState<FeedbackVote | null>(null)
  const vote = (next: FeedbackVote) => {
    if (!onFeedback) return
    if (message.feedback?.vote === next) {
      setFormFor(null)
      onFeedback(message.id, null)
      return
    }
    onFeedback(message.id, { vote: next })
    setFormFor(next)
  }
  return (
    <>
      <footer className="message__footer">
        <ReplyUsage message={message} />
        <span className="message__actions">
          {message.content && <CopyButton text={message.content} label="Copy reply" />}
          {onFeedback && <VoteButtons vote={message.feedback?.vote} onVote={vote} />}
          {canRegenerate && (
            <IconButton
              icon="regenerate"
              label={failed ? 'Retry' : 'Regenerate'}
              showLabel={failed}
              className={failed ? 'button--retry' : undefined}
              onClick={() => onRegenerate(message.id)}
            />
          )}
        </span>
      </footer>
      {onFeedback && formFor && (
        <FeedbackForm
          vote={formFor}
          current={message.feedback}
          onSubmit={(body) => {
            setFormFor(null)
            onFeedback(message.id, body)
          }}
          onClose={() => setFormFor(null)}
        />
      )}
    </>
  )
}

/** One message of the thread; finished messages re-render only when they change. */
export const MessageBubble = memo(function MessageBubble({
  message,
  isLatestReply,
  busy,
  onRegenerate,
  onFeedback,
}: MessageBubbleProps) {
  if (message.role === 'user') {
    return (
      <article className="message message--user" aria-label="Your message">
        <div className="message__bubble">{message.content}</div>
        <footer className="message__footer">
          <CopyButton text={message.content} label="Copy message" />
        </footer>
      </article>
    )
  }

  const streaming = message.status === 'streaming'
  const failed =
    message.status === 'error' ||
    (message.status === 'incomplete' && message.error?.code !== 'stopped')
  return (
    <article
      className="message message--assistant"
      aria-label="Reply"
      aria-busy={streaming || undefined}
      data-status={message.status}
    >
      {streaming ? (
        <LiveReply messageId={message.id} />
      ) : (
        message.content && <LazyMarkdown text={message.content} />
      )}
      <ReplyNotice message={message} />
      {!streaming && (
        <ReplyFooter
          message={message}
          canRegenerate={isLatestReply && !busy}
          failed={failed}
          onRegenerate={onRegenerate}
          onFeedback={onFeedback}
        />
      )}
    </article>
  )
})
