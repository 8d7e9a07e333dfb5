import type { Message } from '@parley/schema/contracts'
import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react'
import { Link, useSearchParams } from 'wouter'
import { PageHeader } from '../../../components/ui/page-header.tsx'
import { Spinner } from '../../../components/ui/spinner.tsx'
import { ApiRequestError, describeError } from '../../../lib/api-error.ts'
import { useMe } from '../../../lib/me-query.ts'
import { useModels } from '../../../lib/models-query.ts'
import { useFileDrop } from '../../../lib/use-file-drop.ts'
import { followReply, regenerateReply, sendMessage, stopReply } from '../api/chat-turn.ts'
import { useConversation } from '../api/get-conversation.ts'
import { useMessages } from '../api/get-messages.ts'
import { flattenPages } from '../api/message-cache.ts'
import { useSetFeedback } from '../api/set-feedback.ts'
import { useSwitchBranch } from '../api/switch-branch.ts'
import { useUpdateConversationModel } from '../api/update-conversation-model.ts'
import { getDraft, setDraft } from '../stores/draft-store.ts'
import { startEditing } from '../stores/edit-store.ts'
import { useLiveTurn, useTurnFailure } from '../stores/stream-store.ts'
import { useConversationFiles } from './attachments/chat-files.ts'
import { ConversationFooter } from './conversation-footer.tsx'
import { ConversationSettings } from './conversation-settings.tsx'
import { DemoNotice } from './demo-notice.tsx'
import { ExportMenu } from './export-menu.tsx'
import type { FeedbackHandler } from './message-bubble.tsx'
import { OffBranchNotice, useMessageJump } from './message-jump.tsx'
import { MessageList } from './message-list.tsx'
import { ModelPicker } from './model-picker.tsx'
import { ModelCatalogContext } from './reply-routing.tsx'
import { ShareConversation } from './share-conversation.tsx'
import './chat.css'

const untitled = 'New chat'

function ConversationMissing({ menuButton }: { menuButton?: ReactNode }) {
  return (
    <div className="chat">
      <title>Not found · Parley</title>
      <PageHeader menuButton={menuButton} title="Not found" />
      <div className="empty-state" role="status">
        <h2>Conversation not found</h2>
        <p>It may have been deleted, or it belongs to someone else.</p>
        <Link href="/" className="button button--primary">
          Start a new chat
        </Link>
      </div>
    </div>
  )
}

const conversationIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * One conversation: its thread, the composer, and the model answering it. An address that cannot
 * name a conversation is simply not found; nothing is asked of the server.
 */
export function ChatPage({
  conversationId,
  menuButton,
}: {
  conversationId: string
  menuButton?: ReactNode
}) {
  if (!conversationIdPattern.test(conversationId)) {
    return <ConversationMissing menuButton={menuButton} />
  }
  return <ConversationChat conversationId={conversationId} menuButton={menuButton} />
}

function ConversationChat({
  conversationId,
  menuButton,
}: {
  conversationId: string
  menuButton?: ReactNode
}) {
  const conversation = useConversation(conversationId)
  const messages = useMessages(conversationId)
  const models = useModels()
  const me = useMe()
  const turn = useLiveTurn(conversationId)
  const failure = useTurnFailure(conversationId)
  const updateModel = useUpdateConversationModel(conversationId)
  const files = useConversationFiles(conversationId, conversation.data)
  const drop = useFileDrop(files.attach)
  const [followKey, setFollowKey] = useState(0)
  const { mutate: changeFeedback } = useSetFeedback(conversationId)
  const feedback = useCallback<FeedbackHandler>(
    (messageId, next) => changeFeedback({ messageId, next }),
    [changeFeedback],
  )
  const { mutate: switchBranch } = useSwitchBranch(conversationId)
  const [params, setParams] = useSearchParams()
  const targetId = params.get('message')
  const edit = useCallback(
    (message: Message, content: string) => {
      setFollowKey((key) => key + 1)
      void sendMessage({
        conversationId,
        content,
        parentId: message.parentId,
        replaces: message.id,
      })
    },
    [conversationId],
  )

  const thread = useMemo(() => flattenPages(messages.data), [messages.data])
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = messages
  const loadOlder = useCallback(() => void fetchNextPage(), [fetchNextPage])
  const jump = useMessageJump(targetId, thread, messages)
  const regenerate = useCallback(
    (assistantMessageId: string) => {
      setFollowKey((key) => key + 1)
      void regenerateReply({ conversationId, assistantMessageId })
    },
    [conversationId],
  )

  const busy = turn !== undefined
  // A reply still being written that this page did not start (it was reloaded): follow it.
  const unfollowed = busy
    ? undefined
    : thread.find((message) => message.role === 'assistant' && message.status === 'streaming')?.id
  useEffect(() => {
    if (unfollowed) void followReply({ conversationId, assistantMessageId: unfollowed })
  }, [conversationId, unfollowed])
  // Esc stops the reply being written (dialogs and editors handle their own Esc first).
  useEffect(() => {
    if (!busy) return
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return
      if (!document.querySelector('dialog[open]')) stopReply(conversationId)
    }
    document.addEventListener('keydown', onKeyDown)
    return () => document.removeEventListener('keydown', onKeyDown)
  }, [busy, conversationId])
  const editLast = () => {
    const last = thread.findLast((message) => message.role === 'user')
    if (last) startEditing(last.id)
  }

  const send = (content: string) => {
    setFollowKey((key) => key + 1)
    void sendMessage({ conversationId, content })
  }

  const retry = () => {
    if (!failure) return
    setFollowKey((key) => key + 1)
    if (failure.retry.kind === 'send') {
      const { messageId, content, parentId } = failure.retry
      if (getDraft(conversationId) === content) setDraft(conversationId, '')
      void sendMessage({ conversationId, content, messageId, parentId })
    } else {
      void regenerateReply({ conversationId, assistantMessageId: failure.retry.assistantMessageId })
    }
  }

  if (conversation.error instanceof ApiRequestError && conversation.error.status === 404) {
    return <ConversationMissing menuButton={menuButton} />
  }

  const title = conversation.data ? (conversation.data.title ?? untitled) : 'Chat'
  const modelId =
    conversation.data?.model ?? me.data?.defaultModel ?? models.data?.defaultModelId ?? ''

  return (
    <div className={`chat${drop.dragging ? ' chat--dropping' : ''}`} {...drop.handlers}>
      <title>{`${title} · Parley`}</title>
      <PageHeader menuButton={menuButton} title={title}>
        {modelId && (
          <ModelPicker
            models={models.data}
            value={modelId}
            onChange={(model) => updateModel.mutate(model)}
            disabled={!conversation.data}
          />
        )}
        <ConversationSettings conversation={conversation.data} />
        <ShareConversation conversation={conversation.data} />
        <ExportMenu conversationId={conversationId} />
      </PageHeader>
      {models.data?.demoOnly && <DemoNotice />}
      {conversation.isError || messages.isError ? (
        <div className="empty-state" role="alert">
          <h2>This conversation did not load</h2>
          <p>{describeError(conversation.error ?? messages.error)}</p>
          <button
            type="button"
            className="button button--primary"
            onClick={() => {
              void conversation.refetch()
              void messages.refetch()
            }}
          >
            Try again
          </button>
        </div>
      ) : messages.isPending ? (
        <div className="thread thread--loading">
          <Spinner label="Loading messages" />
        </div>
      ) : (
        <ModelCatalogContext value={models.data}>
          <MessageList
            messages={thread}
            turn={turn}
            hasOlder={hasNextPage}
            loadingOlder={isFetchingNextPage}
            onLoadOlder={loadOlder}
            onRegenerate={regenerate}
            onFeedback={feedback}
            onEdit={edit}
            onSwitchBranch={switchBranch}
            followKey={followKey}
            highlightId={jump.highlightId}
          />
        </ModelCatalogContext>
      )}
      <ConversationFooter
        conversationId={conversationId}
        files={files}
        turn={turn}
        notice={
          jump.offBranch &&
          targetId && (
            <OffBranchNotice
              onShow={() => switchBranch(targetId)}
              onDismiss={() => setParams({}, { replace: true })}
            />
          )
        }
        onRetry={retry}
        onSend={send}
        onEditLast={editLast}
      />
    </div>
  )
}
