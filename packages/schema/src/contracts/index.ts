export { maxStoredMessageChars, maxUserMessageChars } from '../limits.ts'
export {
  type ClaimAdminBody,
  type ClaimedAdmin,
  type CreatedInvitation,
  type CreateInvitationBody,
  claimAdminBody,
  claimedAdmin,
  createdInvitation,
  createInvitationBody,
} from './admin.ts'
export {
  type ApiError,
  apiError,
  type ErrorCode,
  type ErrorEnvelope,
  errorCodes,
  errorEnvelope,
  idParam,
  isoDateTime,
  type JwtClaims,
  jwtClaims,
  modelId,
  type Page,
  type PageQuery,
  page,
  pageQuery,
  uuid,
  type VerifiedClaims,
} from './common.ts'
export {
  type Conversation,
  type CreateConversationBody,
  conversation,
  conversationPage,
  createConversationBody,
  type UpdateConversationBody,
  updateConversationBody,
} from './conversations.ts'
export { type Health, health, type Readiness, readiness } from './health.ts'
export {
  type ListMessagesQuery,
  listMessagesQuery,
  type Message,
  type MessageRole,
  type MessageStatus,
  type MessageUpdate,
  message,
  messageError,
  messagePage,
  messageParams,
  messageUpdate,
  type NewMessage,
  newMessage,
  type RegenerateMessageBody,
  regenerateMessageBody,
  type SendMessageBody,
  type SendMessageResponse,
  sendMessageBody,
  sendMessageResponse,
} from './messages.ts'
export {
  type ModelConfig,
  type ModelConfigUpsert,
  type ModelList,
  type ModelSummary,
  modelConfig,
  modelConfigUpsert,
  modelList,
  modelSummary,
} from './models.ts'
export {
  type Me,
  me,
  type Profile,
  profile,
  type UpdateProfileBody,
  updateProfileBody,
} from './profiles.ts'
export {
  type StreamEvent,
  type StreamEventData,
  type StreamEventName,
  streamEvent,
  streamEventData,
} from './stream.ts'
export {
  type NewUsageEvent,
  newUsageEvent,
  type UsageTotals,
  usageTotals,
  usageTotalsQuery,
} from './usage.ts'
