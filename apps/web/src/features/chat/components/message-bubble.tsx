import type { Message } from '@parley/schema/contracts'
import { memo } from 'react'
import { CopyButton } from '../../../components/ui/copy-button.tsx'
import { Icon } from '../../../components/ui/icon.tsx'
import { IconButton } from '../../../components/ui/icon-button.tsx'
import { LazyMarkdown } from './lazy-markdown.tsx'
import { LiveReply } from './live-reply.tsx'
import { ReplyUsage } from './reply-usage.tsx'

interface MessageBubbleProps {
  message: Message
  /** The newest reply of the thread: the one that can be regenerated or retried. */
  isLatestReply: boolean
  /** A reply is being produced in this conversation. */
  busy: boolean
  onRegenerate: (messageId: string) => void
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

/** One message of the thread; finished messages re-render only when they change. */
export const MessageBubble = memo(function MessageBubble({
  message,
  isLatestReply,
  busy,
  onRegenerate,
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
        <footer className="message__footer">
          <ReplyUsage message={message} />
          <span className="message__actions">
            {message.content && <CopyButton text={message.content} label="Copy reply" />}
            {isLatestReply && !busy && (
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
      )}
    </article>
  )
})
