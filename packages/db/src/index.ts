export {
  createDatabase,
  type Database,
  type DatabaseConfig,
  type DatabaseOptions,
  type OwnerSql,
  type Quotas,
  type Tx,
} from './client.ts'
export { bootstrapSupabaseCompat } from './compat/bootstrap.ts'
export {
  DbError,
  type DbErrorCode,
  isTransientDbError,
  type QuotaExceeded,
} from './errors.ts'
export { defaultMigrationsDir, type MigrateResult, migrate, readMigrations } from './migrate.ts'
export { type PrepareResult, prepareDatabase } from './prepare.ts'
export {
  type AdminAuditRow,
  type AdminChange,
  listAdminAudit,
  recordAdminChange,
} from './repositories/admin-audit.ts'
export {
  type AdminUserRow,
  type AdminUsersListQuery,
  getAdminUser,
  listAdminUsers,
  updateAdminUser,
} from './repositories/admin-users.ts'
export * as authStore from './repositories/auth.ts'
export * as authRecovery from './repositories/auth-recovery.ts'
export {
  type BudgetDefaults,
  type BudgetPeriod,
  type BudgetRow,
  type BudgetState,
  budgetOverride,
  getBudgetOverride,
  getBudgetState,
  listBudgetOverrides,
  type Reservation,
  releaseReplyBudget,
  reserveBudget,
  setBudgetOverride,
  settleBudget,
  sweepBudgetReservations,
} from './repositories/budgets.ts'
export {
  type ConversationRow,
  claimTitleRequest,
  createConversation,
  deleteConversation,
  getConversation,
  listConversations,
  setFileScope,
  setGeneratedTitle,
  switchBranch,
  updateConversation,
} from './repositories/conversations.ts'
export {
  activePath,
  exportConversation,
  exportUserData,
  importConversation,
} from './repositories/exports.ts'
export {
  clearFeedback,
  feedbackByModel,
  listRecentFeedback,
  type MessageFeedbackRow,
  setFeedback,
} from './repositories/feedback.ts'
export {
  claimFileIngest,
  completeFileIngest,
  countProcessingFiles,
  createFile,
  deleteFile,
  type FileChunkRow,
  type FileRow,
  failFileIngest,
  getFile,
  type IngestClaim,
  interruptedTooOften,
  listFileChunks,
  listFiles,
  recoverStuckFiles,
  renewFileIngestLeases,
  toFileResource,
} from './repositories/files.ts'
export {
  consumeInvitation,
  createInvitation,
  type InvitationRow,
} from './repositories/invitations.ts'
export { type JobLeaseInput, releaseJobLease, takeJobLease } from './repositories/job-leases.ts'
export {
  type RetrievedChunk,
  type RetrieveInput,
  retrieveChunks,
  type SearchInput,
  search,
  splitSnippet,
  vectorSearchAvailable,
} from './repositories/knowledge.ts'
export {
  type ActivityFilter,
  type ActivityRow,
  countErrors,
  type ErrorCount,
  type ErrorFilter,
  type ErrorLogRow,
  insertActivity,
  insertErrors,
  type LogPage,
  listActivity,
  listErrors,
  type NewActivityRow,
  type NewErrorLogRow,
  type PurgeOptions,
  type PurgeResult,
  purgeLogs,
  resolveError,
} from './repositories/logs.ts'
export {
  embeddedMessageChars,
  listMessagesToEmbed,
  type MessagesToEmbed,
  type MessagesToEmbedInput,
  type MessageToEmbed,
  type StoreMessageEmbeddingsInput,
  storeMessageEmbeddings,
} from './repositories/message-embeddings.ts'
export {
  type AppendResult,
  appendMessage,
  type ContextMessage,
  closeInterruptedReplies,
  getLatestMessage,
  getMessage,
  listThread,
  loadContextThread,
  type MessageRow,
  setReplyCitations,
  type ThreadMessageRow,
  updateMessage,
} from './repositories/messages.ts'
export {
  lockModelCatalog,
  type ModelConfigChange,
  type ModelConfigUpdate,
  readModelCatalogVersion,
  updateModelConfig,
} from './repositories/model-catalog.ts'
export {
  listEnabledModelConfigs,
  listModelConfigs,
  type ModelConfigRow,
  type SeedResult,
  seedModelConfigs,
  setDefaultModel,
  upsertModelConfig,
} from './repositories/model-configs.ts'
export {
  dueOriginalDeletions,
  forgetOriginalDeletions,
  forgetOwnerOriginalDeletions,
  noteOriginalDeletion,
  type OriginalDeletion,
} from './repositories/original-deletions.ts'
export { getOwnProfile, type ProfileRow, updateOwnProfile } from './repositories/profiles.ts'
export * as rateLimits from './repositories/rate-limits.ts'
export { closeOrphanedReplies, renewReplyLeases } from './repositories/reply-leases.ts'
export {
  createShare,
  listShares,
  type PublicShare,
  readShare,
  revokeShare,
  type ShareRow,
  type ShareSummary,
} from './repositories/shares.ts'
export {
  type BeginTurnInput,
  type BeginTurnResult,
  beginTurn,
  type SettleTurnInput,
  type SettleTurnResult,
  settleTurn,
  type TurnBudget,
  type TurnProfile,
} from './repositories/turns.ts'
export {
  hasUsageForMessage,
  insertUsageEvent,
  type UsageEventRow,
  usageTotalsByDay,
} from './repositories/usage-events.ts'
export {
  histogramPercentile,
  sumUsageGroups,
  type UsageGroup,
  type UsageGrouping,
  type UsageRollupQuery,
  usageRollup,
} from './repositories/usage-rollups.ts'
export { type TableUpkeep, upkeepTables } from './upkeep.ts'
