import { Icon } from '../../../components/ui/icon.tsx'
import type { TurnFailure } from '../stores/stream-store.ts'

/** A send or regenerate that did not reach the model, with a way to try again. */
export function TurnFailureAlert({
  failure,
  onRetry,
  onDismiss,
}: {
  failure: TurnFailure
  onRetry: () => void
  onDismiss: () => void
}) {
  const what = failure.retry.kind === 'send' ? 'Your message was not sent' : 'No new reply'
  return (
    <div className="turn-failure" role="alert">
      <Icon name="alert" size={16} />
      <p>
        {what}. {failure.message}
      </p>
      <button type="button" className="button button--primary button--small" onClick={onRetry}>
        Retry
      </button>
      <button type="button" className="button button--ghost button--small" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  )
}
