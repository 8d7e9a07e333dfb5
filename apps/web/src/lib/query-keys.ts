/**
 * Every query key in one place, so a feature can refresh another feature's data (the chat
 * refreshes the conversation list after a reply) without importing it.
 */
export const queryKeys = {
  me: ['me'] as const,
  models: ['models'] as const,
  conversations: ['conversations'] as const,
  conversationList: ['conversations', 'list'] as const,
  conversation: (id: string) => ['conversations', 'detail', id] as const,
  messages: (conversationId: string) => ['messages', conversationId] as const,
  files: ['files'] as const,
  fileList: ['files', 'list'] as const,
  file: (id: string) => ['files', 'detail', id] as const,
  fileCapabilities: ['files', 'capabilities'] as const,
  search: (q: string) => ['search', q] as const,
  usage: ['usage'] as const,
  usageBudget: ['usage', 'budget'] as const,
  usageReport: (groupBy: string) => ['usage', 'report', groupBy] as const,
  teamUsageReport: (groupBy: string) => ['usage', 'team', groupBy] as const,
  adminFeedback: ['admin', 'feedback'] as const,
  adminFeedbackRecent: (vote: string) => ['admin', 'feedback', 'recent', vote] as const,
  adminActivity: (filter: object) => ['admin', 'activity', filter] as const,
  adminErrors: ['admin', 'errors'] as const,
  adminErrorList: (filter: object) => ['admin', 'errors', 'list', filter] as const,
  adminErrorGroups: (groupBy: string, filter: object) =>
    ['admin', 'errors', 'groups', groupBy, filter] as const,
  adminModels: ['admin', 'models'] as const,
  adminAudit: (targetType: string) => ['admin', 'audit', targetType] as const,
  shares: (conversationId: string) => ['shares', conversationId] as const,
  sharedConversation: (shareId: string) => ['shared-conversation', shareId] as const,
  adminUsers: ['admin-users'] as const,
  adminUserSearch: (q: string) => ['admin-users', q] as const,
}
