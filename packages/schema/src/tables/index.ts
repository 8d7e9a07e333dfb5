export {
  type ActivityMetadata,
  type ActivityType,
  activityLog,
  activityTypes,
} from './activity-log.ts'
export { adminAudit } from './admin-audit.ts'
export { budgetPeriods, budgetReservations, budgets } from './budgets.ts'
export { conversationShares, type SnapshotMessage } from './conversation-shares.ts'
export { conversations, visibilities } from './conversations.ts'
export { documentChunks } from './document-chunks.ts'
export {
  type ErrorSeverity,
  type ErrorSource,
  errorLog,
  errorSeverities,
  errorSources,
} from './error-log.ts'
export { files, originalDeletions } from './files.ts'
export { invitations } from './invitations.ts'
export { logPurges } from './log-purges.ts'
export { messageEmbeddings } from './message-embeddings.ts'
export {
  type FeedbackReason,
  type FeedbackVote,
  feedbackReasons,
  feedbackVotes,
  messageFeedback,
} from './message-feedback.ts'
export { type MessageError, messageRoles, messageStatuses, messages } from './messages.ts'
export {
  type AutoTier,
  autoTiers,
  type ModelCapabilities,
  modelConfigs,
} from './model-configs.ts'
export { profiles, type Theme, themes } from './profiles.ts'
export { liveStreams, parleyPrivate, rateCounters } from './rate-limits.ts'
export { jobLeases, replyLeases } from './reply-leases.ts'
export {
  ttftBucketBoundsMs,
  ttftBucketCount,
  usageDaily,
  usageDailyConversations,
} from './usage-daily.ts'
export { usageEvents, usageStatuses } from './usage-events.ts'
