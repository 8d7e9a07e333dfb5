import type { ReactNode } from 'react'
import { stopReply } from '../api/chat-turn.ts'
import { type LiveTurn, setFailure, useTurnFailure } from '../stores/stream-store.ts'
import { AttachButton } from './attachments/attach-button.tsx'
import { AttachmentTray } from './attachments/attachment-tray.tsx'
import { type ChatFiles, useSendHold } from './attachments/chat-files.ts'
import { Composer } from './composer.tsx'
import { TurnFailureAlert } from './turn-failure-alert.tsx'

/** Below a conversation's thread: notices, a failed turn to retry, its files and the composer. */
export function ConversationFooter({
  conversationId,
  files,
  turn,
  notice,
  onRetry,
  onSend,
  onEditLast,
}: {
  conversationId: string
  files: ChatFiles
  turn: LiveTurn | undefined
  /** A notice above the rest (a searched message on another branch). */
  notice?: ReactNode
  onRetry: () => void
  onSend: (content: string) => void
  onEditLast: () => void
}) {
  const failure = useTurnFailure(conversationId)
  const hold = useSendHold(files)
  return (
    <div className="chat__footer">
      {notice}
      {failure && (
        <TurnFailureAlert
          failure={failure}
          onRetry={onRetry}
          onDismiss={() => setFailure(conversationId, null)}
        />
      )}
      <AttachmentTray files={files} />
      <Composer
        draftKey={conversationId}
        busy={turn !== undefined}
        onSend={onSend}
        onEditLast={onEditLast}
        onStop={() => stopReply(conversationId)}
        autoFocus
        tools={<AttachButton onFiles={files.attach} />}
        onPasteFiles={files.attach}
        hold={hold}
      />
      <p className="sr-only" role="status">
        {turn?.phase === 'waiting'
          ? 'Sending'
          : turn?.phase === 'streaming'
            ? 'Parley is replying'
            : ''}
      </p>
    </div>
  )
}
