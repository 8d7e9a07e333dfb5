import type { Message, StreamEvent } from '@parley/schema/contracts'
import { api } from '../../../lib/api-client.ts'
import { ApiRequestError, describeError } from '../../../lib/api-error.ts'
import { queryClient } from '../../../lib/query-client.ts'
import { queryKeys } from '../../../lib/query-keys.ts'
import { getDraft, setDraft } from '../stores/draft-store.ts'
import {
  appendLiveText,
  flushLiveText,
  forgetLiveText,
  type LiveTurn,
  setFailure,
  setTurn,
  useStreamStore,
} from '../stores/stream-store.ts'
import { reloadThread } from './get-messages.ts'
import {
  cutThreadAt,
  removeMessage,
  restoreThread,
  shownLeafId,
  upsertMessages,
} from './message-cache.ts'

/** The reply being streamed in each conversation, so Stop can abort it. */
const controllers = new Map<string, AbortController>()

const stoppedError = { code: 'stopped', message: 'Stopped' }

const isAbort = (error: unknown) => error instanceof DOMException && error.name === 'AbortError'

function optimisticUserMessage(conversationId: string, id: string, content: string): Message {
  const now = new Date().toISOString()
  return {
    id,
    seq: Number.MAX_SAFE_INTEGER,
    conversationId,
    userId: '',
    parentId: null,
    role: 'user',
    content,
    status: 'complete',
    model: null,
    provider: null,
    inputTokens: null,
    outputTokens: null,
    cachedInputTokens: null,
    tokenCount: 0,
    costMicroUsd: 0,
    ttftMs: null,
    latencyMs: null,
    error: null,
    metadata: {},
    citations: [],
    createdAt: now,
    updatedAt: now,
  }
}

/**
 * Reads a reply's events into the message cache and the live text store. Once the server has
 * started the reply, every ending (done, error, Stop, a dropped connection) is written to that
 * reply; only a failure before it started is thrown.
 */
export async function runTurn(
  conversationId: string,
  kind: LiveTurn['kind'],
  events: AsyncGenerator<StreamEvent>,
  onStarted?: () => void,
): Promise<void> {
  let assistant: Message | null = null
  let finished = false
  try {
    for await (const event of events) {
      if (event.event === 'start') {
        assistant = event.data.assistantMessage
        upsertMessages(queryClient, conversationId, [event.data.userMessage, assistant])
        setTurn(conversationId, { kind, phase: 'streaming', assistantMessageId: assistant.id })
        onStarted?.()
      } else if (event.event === 'delta' && assistant) {
        appendLiveText(assistant.id, event.data.text)
      } else if (event.event === 'done') {
        finished = true
        if (assistant) flushLiveText(assistant.id)
        assistant = event.data.assistantMessage
        upsertMessages(queryClient, conversationId, [assistant])
        queryClient.setQueryData(queryKeys.conversation(conversationId), event.data.conversation)
        void queryClient.invalidateQueries({ queryKey: queryKeys.conversationList })
        refetchOnceStored(conversationId, event.data.saved)
      } else if (event.event === 'error') {
        finished = true
        if (!assistant) {
          const { code, message, requestId } = event.data.error
          throw new ApiRequestError({ status: 0, code, message, requestId })
        }
        const started: Message = assistant
        const text = flushLiveText(started.id)
        assistant = event.data.assistantMessage ?? {
          ...started,
          content: text,
          status: text ? 'incomplete' : 'error',
          error: { code: event.data.error.code, message: event.data.error.message },
        }
        upsertMessages(queryClient, conversationId, [assistant])
        refetchOnceStored(conversationId, event.data.saved)
      }
    }
    if (!finished && assistant) {
      throw new ApiRequestError({
        status: 0,
        code: 'network_error',
        message: 'The connection closed before the reply finished.',
      })
    }
  } catch (error) {
    if (!assistant) throw error
    const text = flushLiveText(assistant.id)
    const stopped = isAbort(error)
    upsertMessages(queryClient, conversationId, [
      {
        ...assistant,
        content: text,
        status: stopped || text ? 'incomplete' : 'error',
        error: stopped ? stoppedError : { code: 'network_error', message: describeError(error) },
      },
    ])
  }
}

/** How long after an unsaved ending (`saved: false`) the thread is read again. */
const unsavedRefetchMs = 5_000

/**
 * The server kept the reply but could not store it yet (its database was unreachable); it
 * stores it as sent once the database answers. Until then the cache keeps the reply as
 * streamed, and the thread is read again a little later to pick up the stored version.
 */
function refetchOnceStored(conversationId: string, saved: boolean | undefined) {
  if (saved !== false) return
  setTimeout(() => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.messages(conversationId) })
  }, unsavedRefetchMs)
}

function beginTurn(conversationId: string, kind: LiveTurn['kind']): AbortController {
  controllers.get(conversationId)?.abort()
  const controller = new AbortController()
  controllers.set(conversationId, controller)
  setFailure(conversationId, null)
  const previous = useStreamStore.getState().turns[conversationId]
  if (previous?.assistantMessageId) forgetLiveText([previous.assistantMessageId])
  setTurn(conversationId, { kind, phase: 'waiting', assistantMessageId: null })
  return controller
}

function endTurn(conversationId: string, controller: AbortController) {
  if (controllers.get(conversationId) !== controller) return
  controllers.delete(conversationId)
  setTurn(conversationId, null)
}

/** Reads the thread again once a new branch is written, so every version shows its siblings. */
const showNewBranch = (conversationId: string) =>
  reloadThread(queryClient, conversationId).catch(() => undefined)

/** The first message of a new chat: the page waits for it to start before showing the chat. */
export interface FirstMessage {
  onStarted: () => void
  /** The server refused it (say 429) before storing anything; the page keeps the text. */
  onRefused: (message: string) => void
}

/**
 * Sends a user message and streams the reply. `messageId` is reused when retrying, so the
 * server stores the message once however often it is sent. An edit passes the edited message's
 * parent (null for the first message) and `replaces`, the message it stands in for.
 */
export async function sendMessage(input: {
  conversationId: string
  content: string
  messageId?: string
  parentId?: string | null | undefined
  replaces?: string
  first?: FirstMessage
}): Promise<void> {
  const { conversationId, content, parentId, replaces, first } = input
  const messageId = input.messageId ?? crypto.randomUUID()
  await queryClient.cancelQueries({ queryKey: queryKeys.messages(conversationId) })
  const controller = beginTurn(conversationId, 'send')
  const previous = replaces ? cutThreadAt(queryClient, conversationId, replaces) : undefined
  // What the message follows as shown: the server may start the model call on it at once.
  const leafId = parentId === undefined ? shownLeafId(queryClient, conversationId) : undefined
  upsertMessages(queryClient, conversationId, [
    optimisticUserMessage(conversationId, messageId, content),
  ])
  const body = {
    id: messageId,
    content,
    ...(parentId !== undefined ? { parentId } : {}),
    ...(leafId ? { leafId } : {}),
  }
  try {
    await runTurn(
      conversationId,
      'send',
      api.messages.send(conversationId, body, controller.signal),
      first?.onStarted,
    )
    if (parentId !== undefined) await showNewBranch(conversationId)
  } catch (error) {
    // The server never started the reply: take the message back into the composer.
    removeMessage(queryClient, conversationId, messageId)
    restoreThread(queryClient, conversationId, previous)
    if (first) {
      if (!isAbort(error)) first.onRefused(describeError(error))
      return
    }
    if (!replaces && !getDraft(conversationId)) setDraft(conversationId, content)
    if (!isAbort(error)) {
      setFailure(conversationId, {
        message: describeError(error),
        retry: { kind: 'send', messageId, content, parentId },
      })
    }
    void queryClient.invalidateQueries({ queryKey: queryKeys.messages(conversationId) })
  } finally {
    endTurn(conversationId, controller)
  }
}

/** Writes a new version of any reply; the thread then follows the new version. */
export async function regenerateReply(input: {
  conversationId: string
  assistantMessageId: string
}): Promise<void> {
  const { conversationId, assistantMessageId } = input
  await queryClient.cancelQueries({ queryKey: queryKeys.messages(conversationId) })
  const controller = beginTurn(conversationId, 'regenerate')
  const previous = cutThreadAt(queryClient, conversationId, assistantMessageId)
  try {
    await runTurn(
      conversationId,
      'regenerate',
      api.messages.regenerate(
        conversationId,
        assistantMessageId,
        { id: crypto.randomUUID() },
        controller.signal,
      ),
    )
    await showNewBranch(conversationId)
  } catch (error) {
    restoreThread(queryClient, conversationId, previous)
    if (!isAbort(error)) {
      setFailure(conversationId, {
        message: describeError(error),
        retry: { kind: 'regenerate', assistantMessageId },
      })
    }
  } finally {
    endTurn(conversationId, controller)
  }
}

/** Replies this page has already tried to follow again, so a failed attempt is not repeated. */
const followed = new Set<string>()

/**
 * Follows a reply the server is still writing that this page did not start (the page was
 * reloaded, or opened elsewhere mid-reply): its text so far, then the rest as it streams.
 */
export async function followReply(input: {
  conversationId: string
  assistantMessageId: string
}): Promise<void> {
  const { conversationId, assistantMessageId } = input
  if (followed.has(assistantMessageId) || controllers.has(conversationId)) return
  followed.add(assistantMessageId)
  const controller = beginTurn(conversationId, 'send')
  try {
    await runTurn(
      conversationId,
      'send',
      api.messages.follow(conversationId, assistantMessageId, controller.signal),
    )
  } catch {
    // It could not be followed (it ended meanwhile, or is written elsewhere): show it as stored.
    void queryClient.invalidateQueries({ queryKey: queryKeys.messages(conversationId) })
  } finally {
    endTurn(conversationId, controller)
  }
}

/**
 * Stops the reply streaming in a conversation; the server keeps what was said so far. Closing
 * the stream alone would not do: the server keeps a reply going a little while for its page
 * to come back after a reload.
 */
export function stopReply(conversationId: string) {
  const replyId = useStreamStore.getState().turns[conversationId]?.assistantMessageId
  if (replyId) void api.messages.stop(conversationId, replyId).catch(() => undefined)
  controllers.get(conversationId)?.abort()
}

/** Aborts every stream, for signing out. */
export function stopAllReplies() {
  for (const controller of controllers.values()) controller.abort()
  controllers.clear()
}
