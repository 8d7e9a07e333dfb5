import { TypingIndicator } from '../../../components/ui/typing-indicator.tsx'
import { useLiveText } from '../stores/stream-store.ts'
import { LazyMarkdown } from './lazy-markdown.tsx'

/** The reply as it streams in; re-renders at most once per frame, when the store is painted. */
export function LiveReply({ messageId }: { messageId: string }) {
  const text = useLiveText(messageId)
  if (!text) {
    return <TypingIndicator />
  }
  return (
    <div className="live-reply">
      <LazyMarkdown text={text} streaming />
    </div>
  )
}
