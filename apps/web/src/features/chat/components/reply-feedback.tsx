import type {
  FeedbackReason,
  FeedbackVote,
  OwnFeedback,
  PutFeedbackBody,
} from '@parley/schema/contracts'
import { maxFeedbackCommentChars } from '@parley/schema/limits'
import { type FormEvent, useEffect, useId, useRef, useState } from 'react'
import { IconButton } from '../../../components/ui/icon-button.tsx'
import { feedbackReasonLabels, feedbackReasonsFor } from '../../../lib/feedback-reasons.ts'

interface VoteButtonsProps {
  vote: FeedbackVote | undefined
  onVote: (vote: FeedbackVote) => void
}

/** Thumbs up and down; the pressed one is the vote the server has. */
export function VoteButtons({ vote, onVote }: VoteButtonsProps) {
  return (
    <span className="vote-buttons">
      <IconButton
        icon="thumbUp"
        label="Good reply"
        aria-pressed={vote === 'up'}
        className={vote === 'up' ? 'icon-button--current' : undefined}
        onClick={() => onVote('up')}
      />
      <IconButton
        icon="thumbDown"
        label="Bad reply"
        aria-pressed={vote === 'down'}
        className={vote === 'down' ? 'icon-button--current' : undefined}
        onClick={() => onVote('down')}
      />
    </span>
  )
}

interface FeedbackFormProps {
  vote: FeedbackVote
  current: OwnFeedback | null | undefined
  onSubmit: (body: PutFeedbackBody) => void
  onClose: () => void
}

/** Reasons and a comment for a vote just given; Escape or Close keeps the bare vote. */
export function FeedbackForm({ vote, current, onSubmit, onClose }: FeedbackFormProps) {
  const same = current?.vote === vote
  const [reasons, setReasons] = useState<FeedbackReason[]>(same ? current.reasons : [])
  const [comment, setComment] = useState(same ? (current.comment ?? '') : '')
  const firstInput = useRef<HTMLInputElement>(null)
  const commentId = useId()

  useEffect(() => firstInput.current?.focus(), [])

  const toggle = (reason: FeedbackReason, on: boolean) =>
    setReasons((list) => (on ? [...list, reason] : list.filter((r) => r !== reason)))
  const submit = (event: FormEvent) => {
    event.preventDefault()
    const text = comment.trim()
    onSubmit({ vote, reasons, ...(text ? { comment: text } : {}) })
  }

  return (
    <form
      className="feedback-form"
      aria-label="Feedback on this reply"
      onSubmit={submit}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation()
          onClose()
        }
      }}
    >
      <fieldset className="feedback-form__reasons">
        <legend>{vote === 'up' ? 'What was good?' : 'What went wrong?'}</legend>
        {feedbackReasonsFor[vote].map((reason, index) => (
          <label key={reason} className="feedback-form__reason">
            <input
              ref={index === 0 ? firstInput : undefined}
              type="checkbox"
              checked={reasons.includes(reason)}
              onChange={(event) => toggle(reason, event.target.checked)}
            />
            {feedbackReasonLabels[reason]}
          </label>
        ))}
      </fieldset>
      <label className="field__label" htmlFor={commentId}>
        Comment (optional)
      </label>
      <textarea
        id={commentId}
        className="input feedback-form__comment"
        rows={2}
        maxLength={maxFeedbackCommentChars}
        value={comment}
        onChange={(event) => setComment(event.target.value)}
      />
      <div className="feedback-form__actions">
        <button type="button" className="button button--small button--ghost" onClick={onClose}>
          Close
        </button>
        <button type="submit" className="button button--small button--primary">
          Send feedback
        </button>
      </div>
    </form>
  )
}
