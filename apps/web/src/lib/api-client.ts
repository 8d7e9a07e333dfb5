import type {
  ActiveBranch,
  ActivityPage,
  AdminModel,
  AdminModelList,
  AdminModelPatch,
  AdminUser,
  AdminUserPage,
  AuditPage,
  Budget,
  Conversation,
  CreateConversationBody,
  DeleteAccountBody,
  ErrorEntry,
  ErrorGroupBy,
  ErrorGroups,
  ErrorPage,
  FeedbackByModel,
  FileCapabilities,
  FilePage,
  FileResource,
  FileScope,
  Me,
  MessageFeedback,
  ModelList,
  messagePage,
  Page,
  PutFeedbackBody,
  RecentFeedbackItem,
  RecoveryLink,
  RegenerateMessageBody,
  ResolveErrorBody,
  SearchResults,
  SearchScope,
  SendMessageBody,
  Share,
  SharedConversation,
  ShareList,
  StreamEvent,
  UpdateAdminUserBody,
  UpdateConversationBody,
  UpdateProfileBody,
  UsageReport,
} from '@parley/schema/contracts'
import type { z } from 'zod'
import { config } from '../config.ts'
import { type ApiErrorCode, ApiRequestError } from './api-error.ts'
import { attachmentFileName } from './content-disposition.ts'
import { readStreamEvents } from './stream-events.ts'
import { accessToken } from './supabase.ts'

type Query = Record<string, string | number | undefined>

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  body?: unknown
  query?: Query
  signal?: AbortSignal | undefined
  accept?: string
}

export interface UsageReportQuery {
  groupBy: 'day' | 'model' | 'conversation'
  from?: string | undefined
  to?: string | undefined
}

export interface TeamUsageQuery {
  groupBy: 'day' | 'model' | 'user'
  from?: string | undefined
  to?: string | undefined
}

/** Filters of the admin activity log (`from`/`to`: days, `to` included). */
export interface ActivityFilter {
  userId?: string | undefined
  type?: string | undefined
  from?: string | undefined
  to?: string | undefined
}

/** Filters of the admin error log: open (`false`), resolved (`true`) or both. */
export interface ErrorFilter {
  resolved?: 'true' | 'false' | undefined
}

/** Oldest first; `nextCursor` fetches the older page before it. */
export type MessagePage = z.infer<typeof messagePage>

const statusCodes: Record<number, ApiErrorCode> = {
  400: 'validation_error',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  402: 'budget_exceeded',
  409: 'conflict',
  410: 'share_revoked',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_error',
  429: 'rate_limited',
  502: 'provider_error',
  503: 'service_unavailable',
}

export function urlFor(path: string, query?: Query): string {
  const url = new URL(`${config.apiUrl}/api/v1${path}`)
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value))
  }
  return url.toString()
}

function isErrorEnvelope(body: unknown): body is {
  error: { code: ApiErrorCode; message: string; requestId?: string; details?: unknown }
} {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false
  const { error } = body
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error
}

/** The failure an answer describes: its error envelope when it has one, else its status. */
export function errorFromAnswer(answer: {
  status: number
  statusText: string
  header: (name: string) => string | null
  body: unknown
}): ApiRequestError {
  const retryAfter = Number(answer.header('retry-after'))
  const common = {
    status: answer.status,
    requestId: answer.header('x-request-id'),
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  }
  if (isErrorEnvelope(answer.body)) {
    const { code, message, details } = answer.body.error
    return new ApiRequestError({ ...common, code, message, details })
  }
  return new ApiRequestError({
    ...common,
    code: statusCodes[answer.status] ?? 'internal_error',
    message: `The server answered ${answer.status} ${answer.statusText}`.trim(),
  })
}

async function errorFrom(response: Response): Promise<ApiRequestError> {
  const body: unknown = await response.json().catch(() => null)
  return errorFromAnswer({
    status: response.status,
    statusText: response.statusText,
    header: (name) => response.headers.get(name),
    body,
  })
}

async function send(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers = new Headers({ Accept: options.accept ?? 'application/json' })
  const token = await accessToken()
  if (token) headers.set('Authorization', `Bearer ${token}`)
  if (options.body !== undefined) headers.set('Content-Type', 'application/json')
  let response: Response
  try {
    response = await fetch(urlFor(path, options.query), {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
    })
  } catch (error) {
    if (options.signal?.aborted) throw error
    throw new ApiRequestError({
      status: 0,
      code: 'network_error',
      message: 'The server could not be reached.',
    })
  }
  if (!response.ok) throw await errorFrom(response)
  return response
}

async function json<T>(path: string, options?: RequestOptions): Promise<T> {
  const response = await send(path, options)
  return (await response.json()) as T
}

/** A file the API sends as an attachment, named as its `Content-Disposition` says. */
export interface DownloadedFile {
  blob: Blob
  fileName: string
}

async function file(path: string, fallbackName: string, query?: Query): Promise<DownloadedFile> {
  const response = await send(path, { query, accept: '*/*' })
  const fileName = attachmentFileName(response.headers.get('content-disposition')) ?? fallbackName
  return { blob: await response.blob(), fileName }
}

/** A reply's events: `body` sends (POST) a turn, none follows (GET) one already running. */
async function* stream(
  path: string,
  body: unknown,
  signal: AbortSignal,
): AsyncGenerator<StreamEvent> {
  const response = await send(path, {
    ...(body === undefined ? {} : { method: 'POST', body }),
    signal,
    accept: 'text/event-stream',
  })
  if (!response.body) throw new Error('The server sent an empty stream.')
  yield* readStreamEvents(response.body)
}

/** The Parley API, typed by the contracts in `@parley/schema`. */
export const api = {
  me: {
    get: (signal?: AbortSignal) => json<Me>('/me', { signal }),
    update: (body: UpdateProfileBody) => json<Me>('/me', { method: 'PATCH', body }),
    /** Deletes the account and everything in it; `confirmEmail` is the account's email typed again. */
    delete: async (body: DeleteAccountBody) => {
      await send('/me', { method: 'DELETE', body })
    },
    /** Everything Parley keeps about the caller, as one JSON file. */
    exportData: () => file('/me/export', 'parley-data.json'),
  },
  models: {
    list: (signal?: AbortSignal) => json<ModelList>('/models', { signal }),
  },
  /** The catalog as admins edit it. */
  adminModels: {
    list: (signal?: AbortSignal) => json<AdminModelList>('/admin/models', { signal }),
    update: (id: string, body: AdminModelPatch) =>
      json<AdminModel>(`/admin/models/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
  },
  /** Every admin change, newest first (admins). */
  adminAudit: {
    list: (
      query: { cursor?: string | undefined; targetType?: string | undefined },
      signal?: AbortSignal,
    ) => json<AuditPage>('/admin/audit', { query, signal }),
  },
  conversations: {
    list: (query: { cursor?: string | undefined; limit?: number }, signal?: AbortSignal) =>
      json<Page<Conversation>>('/conversations', { query, signal }),
    get: (id: string, signal?: AbortSignal) =>
      json<Conversation>(`/conversations/${encodeURIComponent(id)}`, { signal }),
    create: (body: CreateConversationBody) =>
      json<Conversation>('/conversations', { method: 'POST', body }),
    update: (id: string, body: UpdateConversationBody) =>
      json<Conversation>(`/conversations/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
    remove: async (id: string) => {
      await send(`/conversations/${encodeURIComponent(id)}`, { method: 'DELETE' })
    },
    /** The shown branch as Markdown, or every branch as an importable JSON document. */
    export: (id: string, format: 'markdown' | 'json') =>
      file(
        `/conversations/${encodeURIComponent(id)}/export`,
        format === 'markdown' ? 'conversation.md' : 'conversation.json',
        { format },
      ),
    /** Creates a new conversation from an exported JSON document. */
    import: (document: unknown) =>
      json<Conversation>('/conversations/import', { method: 'POST', body: document }),
    /** Which files the conversation's turns read from. */
    setFiles: (id: string, scope: FileScope) =>
      json<Conversation>(`/conversations/${encodeURIComponent(id)}/files`, {
        method: 'PUT',
        body: scope,
      }),
    /** Shows the branch through `messageId`, down to its newest reply. */
    switchBranch: (id: string, messageId: string) =>
      json<ActiveBranch>(`/conversations/${encodeURIComponent(id)}/branch`, {
        method: 'PUT',
        body: { messageId },
      }),
  },
  messages: {
    list: (
      conversationId: string,
      query: { before?: string | undefined; limit?: number },
      signal?: AbortSignal,
    ) =>
      json<MessagePage>(`/conversations/${encodeURIComponent(conversationId)}/messages`, {
        query,
        signal,
      }),
    /** Sends a user message; the events stream the reply. */
    send: (conversationId: string, body: SendMessageBody, signal: AbortSignal) =>
      stream(`/conversations/${encodeURIComponent(conversationId)}/messages`, body, signal),
    /** Replaces the assistant reply `messageId` with a new one. */
    regenerate: (
      conversationId: string,
      messageId: string,
      body: RegenerateMessageBody,
      signal: AbortSignal,
    ) =>
      stream(
        `/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}/regenerate`,
        body,
        signal,
      ),
    /** Follows a reply still being written (after a reload): what it has so far, then the rest. */
    follow: (conversationId: string, messageId: string, signal: AbortSignal) =>
      stream(
        `/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}/stream`,
        undefined,
        signal,
      ),
    /** Stops a reply being written; what it said so far is kept. */
    stop: async (conversationId: string, messageId: string) => {
      await send(
        `/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}/stop`,
        { method: 'POST' },
      )
    },
  },
  /** The caller's documents; uploads go through `uploadFile`, which reports progress. */
  files: {
    list: (query: { cursor?: string | undefined; limit?: number }, signal?: AbortSignal) =>
      json<FilePage>('/files', { query, signal }),
    get: (id: string, signal?: AbortSignal) =>
      json<FileResource>(`/files/${encodeURIComponent(id)}`, { signal }),
    remove: async (id: string) => {
      await send(`/files/${encodeURIComponent(id)}`, { method: 'DELETE' })
    },
    /** The original as uploaded. */
    download: (id: string, name: string) => file(`/files/${encodeURIComponent(id)}/content`, name),
    /** The size limit, the kinds read, and whether semantic search is on. */
    capabilities: (signal?: AbortSignal) =>
      json<FileCapabilities>('/files/capabilities', { signal }),
  },
  /** Messages, conversations and file passages matching `q`, best first. */
  search: (
    query: { q: string; scope?: SearchScope; cursor?: string | undefined; limit?: number },
    signal?: AbortSignal,
  ) => json<SearchResults>('/search', { query: { ...query }, signal }),
  usage: {
    /** The caller's budget in the current period. */
    budget: (signal?: AbortSignal) => json<Budget>('/usage/budget', { signal }),
    /** The caller's usage grouped by day, model or conversation (default: this period). */
    report: (query: UsageReportQuery, signal?: AbortSignal) =>
      json<UsageReport>('/usage', { query: { ...query }, signal }),
    /** The same report as a CSV file. */
    csv: (query: UsageReportQuery) =>
      file('/usage', `parley-usage-by-${query.groupBy}.csv`, { ...query, format: 'csv' }),
    /** Everyone's usage grouped by day, model or user (admins). */
    team: (query: TeamUsageQuery, signal?: AbortSignal) =>
      json<UsageReport>('/admin/usage', { query: { ...query }, signal }),
    teamCsv: (query: TeamUsageQuery) =>
      file('/admin/usage', `parley-team-usage-by-${query.groupBy}.csv`, {
        ...query,
        format: 'csv',
      }),
  },
  adminFeedback: {
    /** Up and down votes per model across every user (admins). */
    byModel: (signal?: AbortSignal) => json<FeedbackByModel>('/admin/feedback', { signal }),
    /** The newest votes with reasons and comments, a page at a time (admins). */
    recent: (
      query: { cursor?: string | undefined; vote?: 'up' | 'down' | undefined },
      signal?: AbortSignal,
    ) => json<Page<RecentFeedbackItem>>('/admin/feedback/recent', { query, signal }),
  },
  logs: {
    /** Everyone's activity, newest first (admins). */
    activity: (filter: ActivityFilter & { cursor?: string }, signal?: AbortSignal) =>
      json<ActivityPage>('/admin/activity', { query: { ...filter }, signal }),
    /** The same activity as a CSV file. */
    activityCsv: (filter: ActivityFilter) =>
      file('/admin/activity', 'activity.csv', { ...filter, format: 'csv' }),
    /** Server errors and provider failures, newest first (admins). */
    errors: (filter: ErrorFilter & { cursor?: string }, signal?: AbortSignal) =>
      json<ErrorPage>('/admin/errors', { query: { ...filter }, signal }),
    /** Errors counted per route or per code. */
    errorGroups: (groupBy: ErrorGroupBy, filter: ErrorFilter, signal?: AbortSignal) =>
      json<ErrorGroups>('/admin/errors', { query: { ...filter, groupBy }, signal }),
    errorsCsv: (filter: ErrorFilter) =>
      file('/admin/errors', 'errors.csv', { ...filter, format: 'csv' }),
    /** Marks an error resolved with a note, or open again. */
    resolveError: (id: string, body: ResolveErrorBody) =>
      json<ErrorEntry>(`/admin/errors/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
  },
  feedback: {
    /** Sets or changes the vote on a reply. */
    put: (messageId: string, body: PutFeedbackBody) =>
      json<MessageFeedback>(`/messages/${encodeURIComponent(messageId)}/feedback`, {
        method: 'PUT',
        body,
      }),
    remove: async (messageId: string) => {
      await send(`/messages/${encodeURIComponent(messageId)}/feedback`, { method: 'DELETE' })
    },
  },
  shares: {
    list: (conversationId: string, signal?: AbortSignal) =>
      json<ShareList>(`/conversations/${encodeURIComponent(conversationId)}/shares`, { signal }),
    /** Publishes the thread up to `messageId` (default: its end) under a new link. */
    create: (conversationId: string, messageId?: string) =>
      json<Share>(`/conversations/${encodeURIComponent(conversationId)}/shares`, {
        method: 'POST',
        body: messageId ? { messageId } : {},
      }),
    revoke: async (shareId: string) => {
      await send(`/shares/${encodeURIComponent(shareId)}`, { method: 'DELETE' })
    },
    /** A shared conversation's snapshot; needs no sign-in. */
    get: (shareId: string, signal?: AbortSignal) =>
      json<SharedConversation>(`/shares/${encodeURIComponent(shareId)}`, { signal }),
  },
  adminUsers: {
    /** Accounts newest first, `q` matched in the email (admins). */
    list: (query: { q?: string | undefined; cursor?: string | undefined }, signal?: AbortSignal) =>
      json<AdminUserPage>('/admin/users', { query: { ...query }, signal }),
    /** Gives or takes the admin role, disables or enables the account (admins). */
    update: (id: string, body: UpdateAdminUserBody) =>
      json<AdminUser>(`/admin/users/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
    /** A one-time password reset link for the account, to hand over (admins, embedded auth). */
    recoveryLink: (id: string) =>
      json<RecoveryLink>(`/admin/users/${encodeURIComponent(id)}/recovery-link`, {
        method: 'POST',
      }),
  },
}
