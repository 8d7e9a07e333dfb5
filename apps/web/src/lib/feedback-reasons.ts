import type { FeedbackReason, FeedbackVote } from '@parley/schema/contracts'

/** Each reason tag in a person's words. */
export const feedbackReasonLabels: Record<FeedbackReason, string> = {
  accurate: 'Accurate',
  helpful: 'Helpful',
  well_written: 'Well written',
  inaccurate: 'Inaccurate',
  unhelpful: 'Not helpful',
  too_long: 'Too long',
  off_topic: 'Off topic',
  unsafe: 'Harmful or unsafe',
}

/** The reasons offered with each vote. */
export const feedbackReasonsFor: Record<FeedbackVote, readonly FeedbackReason[]> = {
  up: ['accurate', 'helpful', 'well_written'],
  down: ['inaccurate', 'unhelpful', 'too_long', 'off_topic', 'unsafe'],
}
