import type { Conversation } from '@parley/schema/contracts'
import { useQueryClient } from '@tanstack/react-query'
import { type ReactNode, useRef, useState } from 'react'
import { useLocation } from 'wouter'
import { Icon } from '../../../components/ui/icon.tsx'
import { PageHeader } from '../../../components/ui/page-header.tsx'
import { describeError } from '../../../lib/api-error.ts'
import { useMe } from '../../../lib/me-query.ts'
import { useModels } from '../../../lib/models-query.ts'
import { clearUploads } from '../../../lib/upload-store.ts'
import { useFileDrop } from '../../../lib/use-file-drop.ts'
import { sendMessage } from '../api/chat-turn.ts'
import { discardConversation, useCreateConversation } from '../api/create-conversation.ts'
import { setInitialFileScope } from '../api/set-file-scope.ts'
import { getDraft, newChatDraftKey, setDraft } from '../stores/draft-store.ts'
import { AttachButton } from './attachments/attach-button.tsx'
import { AttachmentTray } from './attachments/attachment-tray.tsx'
import { useNewChatFiles, useSendHold } from './attachments/chat-files.ts'
import { Composer } from './composer.tsx'
import { DemoNotice } from './demo-notice.tsx'
import { ExamplePrompts } from './example-prompts.tsx'
import { ModelPicker } from './model-picker.tsx'
import './chat.css'

/** A blank chat: the conversation is created when the first message is sent. */
export function NewChatPage({ menuButton }: { menuButton?: ReactNode }) {
  const [, navigate] = useLocation()
  const models = useModels()
  const me = useMe()
  const create = useCreateConversation()
  const client = useQueryClient()
  const [chosenModel, setChosenModel] = useState<string | null>(null)
  const [failure, setFailure] = useState<{ message: string; content: string } | null>(null)
  const model = chosenModel ?? me.data?.defaultModel ?? models.data?.defaultModelId ?? ''

  const [starting, setStarting] = useState(false)
  const files = useNewChatFiles()
  const hold = useSendHold(files)
  const drop = useFileDrop(files.attach)
  const composerInput = useRef<HTMLTextAreaElement>(null)
  const pickExample = (prompt: string) => {
    setDraft(newChatDraftKey, prompt)
    const input = composerInput.current
    input?.focus()
    input?.setSelectionRange(prompt.length, prompt.length)
  }
  const refused = (message: string, content: string) => {
    if (!getDraft(newChatDraftKey)) setDraft(newChatDraftKey, content)
    setFailure({ message, content })
  }

  // The chat opens once its first reply has started: a refused send (say 429) leaves no empty
  // conversation behind, and the text stays here to send again. Sending waits until every
  // attached file is read (or could not be), and the files are set before the message goes, so
  // the first answer reads them.
  const start = async (conversation: Conversation, content: string) => {
    setStarting(true)
    try {
      await setInitialFileScope(client, conversation.id, files.scope)
    } catch (error) {
      setStarting(false)
      discardConversation(client, conversation.id)
      refused(describeError(error), content)
      return
    }
    await sendMessage({
      conversationId: conversation.id,
      content,
      first: {
        onStarted: () => {
          clearUploads(files.group)
          navigate(`/c/${conversation.id}`)
        },
        onRefused: (message) => {
          setStarting(false)
          discardConversation(client, conversation.id)
          refused(message, content)
        },
      },
    })
  }

  const send = (content: string) => {
    setFailure(null)
    create.mutate(model ? { model } : {}, {
      onSuccess: (conversation) => void start(conversation, content),
      onError: (error) => refused(describeError(error), content),
    })
  }

  const name = me.data?.displayName
  return (
    <div className={`chat${drop.dragging ? ' chat--dropping' : ''}`} {...drop.handlers}>
      <PageHeader menuButton={menuButton} title="New chat">
        {model && <ModelPicker models={models.data} value={model} onChange={setChosenModel} />}
      </PageHeader>
      {models.data?.demoOnly && <DemoNotice />}
      <div className="thread thread--empty">
        <div className="empty-state">
          <h2>{name ? `What’s on your mind, ${name}?` : 'What’s on your mind?'}</h2>
          <p>Ask anything. Enter sends, Shift+Enter adds a new line.</p>
          <ExamplePrompts onPick={pickExample} />
        </div>
      </div>
      <div className="chat__footer">
        {failure && (
          <div className="turn-failure" role="alert">
            <Icon name="alert" size={16} />
            <p>The chat was not started. {failure.message}</p>
            <button
              type="button"
              className="button button--primary button--small"
              onClick={() => {
                if (getDraft(newChatDraftKey) === failure.content) setDraft(newChatDraftKey, '')
                send(failure.content)
              }}
            >
              Retry
            </button>
          </div>
        )}
        <AttachmentTray files={files} />
        <Composer
          draftKey={newChatDraftKey}
          busy={create.isPending || starting}
          onSend={send}
          autoFocus
          inputRef={composerInput}
          tools={<AttachButton onFiles={files.attach} />}
          onPasteFiles={files.attach}
          hold={hold}
        />
      </div>
    </div>
  )
}
