import type { FeedbackVote, Message, PutFeedbackBody } from '@parley/schema/contracts'
import { memo, useState } from 'react'
import { CopyButton } from '../../../components/ui/copy-button.tsx'
import { Icon } from '../../../components/ui/icon.tsx'
import { IconButton } from '../../../components/ui/icon-button.tsx'
import { BranchSwitcher } from './branch-switcher.tsx'
import { CitedReply, citationsOf } from './citations/cited-reply.tsx'
import { LazyMarkdown } from './lazy-markdown.tsx'
import { LiveReply } from './live-reply.tsx'
import { FeedbackForm, VoteButtons } from './reply-feedback.tsx'
import { ReplyRouting } from './reply-routing.tsx'
import { ReplyUsage } from './reply-usage.tsx'
import { UserMessage } from './user-message.tsx'

/** Sets (or with null clears) the caller's vote on a reply. */
export type FeedbackHandler = (messageId: string, next: PutFeedbackBody | null) => void

interface MessageBubbleProps {
  message: Message
  /** A reply is being produced in this conversation: nothing else can be regenerated or edited. */
  busy: boolean
  onRegenerate: (messageId: string) => void
  /** Offers thumbs up and down on finished replies. */
  onFeedback?: FeedbackHandler
  /** Offers editing a user message: the new version is sent beside the old one. */
  onEdit?: (message: Message, content: string) => void
  /** Offers moving between the versions of a message that has siblings. */
  onSwitchBranch?: (messageId: string) => void
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
  busy: boolean
  failed: boolean
  onRegenerate: (messageId: string) => void
  onFeedback: FeedbackHandler | undefined
  onSwitchBranch: ((messageId: string) => void) | undefined
}

/** Usage and actions under a finished reply, and the feedback form once the reply is voted on. */
function ReplyFooter({
  message,
  busy,
  failed,
  onRegenerate,
  onFeedback,
  onSwitchBranch,
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
        {onSwitchBranch && (
          <BranchSwitcher message={message} disabled={busy} onSwitch={onSwitchBranch} />
        )}
        <span className="message__actions">
          {message.content && <CopyButton text={message.content} label="Copy reply" />}
          {onFeedback && <VoteButtons vote={message.feedback?.vote} onVote={vote} />}
          {!busy && (
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
  busy,
  onRegenerate,
  onFeedback,
  onEdit,
  onSwitchBranch,
}: MessageBubbleProps) {
  if (message.role === 'user') {
    return (
      <UserMessage message={message} busy={busy} onEdit={onEdit} onSwitchBranch={onSwitchBranch} />
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
        message.content && (
          <CitedReply citations={citationsOf(message)}>
            <LazyMarkdown text={message.content} />
          </CitedReply>
        )
      )}
      <ReplyNotice message={message} />
      {!streaming && <ReplyRouting message={message} />}
      {!streaming && (
        <ReplyFooter
          message={message}
          busy={busy}
          failed={failed}
          onRegenerate={onRegenerate}
          onFeedback={onFeedback}
          onSwitchBranch={onSwitchBranch}
        />
      )}
    </article>
  )
})
