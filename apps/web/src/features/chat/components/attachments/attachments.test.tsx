import type { Conversation, FileResource, FileScope } from '@parley/schema/contracts'
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { processingPollMs } from '../../../../lib/file-queries.ts'
import { queryClient } from '../../../../lib/query-client.ts'
import { useUploadStore } from '../../../../lib/upload-store.ts'
import { type FakeUploadRequest, fakeUploads } from '../../../../testing/fake-uploads.ts'
import { renderWithQueries } from '../../../../testing/render-with-queries.tsx'
import { useConversation } from '../../api/get-conversation.ts'
import { messageFixture } from '../../message-fixture.ts'
import { clearDrafts, getDraft } from '../../stores/draft-store.ts'
import { resetStreams } from '../../stores/stream-store.ts'
import { NewChatPage } from '../new-chat-page.tsx'
import { AttachButton } from './attach-button.tsx'
import { AttachmentTray } from './attachment-tray.tsx'
import { useConversationFiles, useSendHold } from './chat-files.ts'

const conversationId = '00000000-0000-4000-8000-00000000c001'
const earlierFileId = '00000000-0000-4000-8000-00000000f000'
/**
 * The next poll of a file's status. Only a hang may fail the wait: the poll comes after
 * `processingPollMs`, however slow a loaded machine makes the rest.
 */
const nextPoll = { timeout: processingPollMs + 30_000 }

const fileResource = (id: string, fields: Partial<FileResource> = {}): FileResource => ({
  id,
  name: 'handbook.pdf',
  mimeType: 'application/pdf',
  sizeBytes: 2048,
  status: 'processing',
  kind: 'pdf',
  error: null,
  pageCount: null,
  chunkCount: 0,
  embedded: false,
  createdAt: '2026-12-05T10:00:00.000Z',
  updatedAt: '2026-12-05T10:00:00.000Z',
  ...fields,
})

const conversation = (fileScope: FileScope) =>
  ({ id: conversationId, title: null, model: null, fileScope }) as unknown as Conversation

interface Call {
  method: string
  path: string
  body: unknown
}

/** The SSE answer to a first message: the reply starts, then finishes. */
function replyStream(content: string): Response {
  const user = messageFixture({ role: 'user', content, conversationId })
  const reply = messageFixture({ parentId: user.id, conversationId, status: 'streaming' })
  const frame = (event: string, data: unknown) =>
    `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
  const body =
    frame('start', { userMessage: user, assistantMessage: reply }) +
    frame('done', {
      assistantMessage: { ...reply, content: 'From the handbook.', status: 'complete' },
      usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, costMicroUsd: 0 },
      conversation: conversation({ mode: 'none' }),
    })
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
}

/**
 * The API as the composer sees it. `files` holds what each file's status reads answer, in turn
 * (the last answer repeats); the conversation's scope is what the last PUT set.
 */
function serve(files: Record<string, FileResource[]>, scope: FileScope = { mode: 'none' }) {
  const calls: Call[] = []
  let current = scope
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input))
      const method = init?.method ?? 'GET'
      const body = init?.body ? JSON.parse(String(init.body)) : undefined
      const path = url.pathname.replace('/api/v1', '')
      calls.push({ method, path, body })
      if (path === '/files/capabilities') {
        return Response.json({
          maxUploadBytes: 20 * 1024 * 1024,
          kinds: ['pdf', 'markdown'],
          semanticSearch: false,
          embeddingModel: null,
        })
      }
      const fileId = /^\/files\/([^/]+)$/.exec(path)?.[1]
      const answers = fileId ? files[fileId] : undefined
      if (answers) return Response.json(answers.length > 1 ? answers.shift() : answers[0])
      if (path === '/conversations' && method === 'POST') {
        return Response.json(conversation({ mode: 'none' }), { status: 201 })
      }
      if (path === `/conversations/${conversationId}` && method === 'GET') {
        return Response.json(conversation(current))
      }
      if (path === `/conversations/${conversationId}/files` && method === 'PUT') {
        current = body as FileScope
        return Response.json(conversation(current))
      }
      if (path === `/conversations/${conversationId}/messages` && method === 'POST') {
        return replyStream((body as { content: string }).content)
      }
      return Response.json(
        { error: { code: 'not_found', message: 'Not found', requestId: 'r' } },
        { status: 404 },
      )
    }),
  )
  return calls
}

const pdf = (name = 'handbook.pdf') =>
  new File(['%PDF-1.7 text'], name, { type: 'application/pdf' })

async function attach(file: File, uploads: FakeUploadRequest[]): Promise<FakeUploadRequest> {
  const before = uploads.length
  const input = document.querySelector<HTMLInputElement>('input[type="file"]')
  if (!input) throw new Error('no file input')
  await userEvent.upload(input, file)
  await waitFor(() => expect(uploads).toHaveLength(before + 1))
  const request = uploads[before]
  if (!request) throw new Error('no upload sent')
  return request
}

const chip = (name: RegExp, wait?: { timeout: number }) =>
  screen.findByRole('listitem', { name }, wait)

function ConversationFiles() {
  const found = useConversation(conversationId)
  const files = useConversationFiles(conversationId, found.data)
  const hold = useSendHold(files)
  if (!found.data) return null
  return (
    <>
      <AttachButton onFiles={files.attach} />
      <AttachmentTray files={files} />
      <p>{hold ?? 'Ready to send'}</p>
    </>
  )
}

const sendButton = () => screen.getByRole('button', { name: 'Send' })

beforeEach(() => {
  // jsdom has no media queries; the new chat asks whether the pointer is fine.
  vi.stubGlobal('matchMedia', (query: string) => ({ matches: false, media: query }))
  clearDrafts()
  resetStreams()
  useUploadStore.setState({ groups: {} })
  window.history.replaceState(null, '', '/')
})

afterEach(() => {
  queryClient.clear()
  vi.unstubAllGlobals()
})

describe('attaching files to a new chat', () => {
  it('shows the upload’s progress, then that the file is being read, then that it is ready', async () => {
    const id = '00000000-0000-4000-8000-00000000f001'
    serve({ [id]: [fileResource(id), fileResource(id, { status: 'ready', chunkCount: 3 })] })
    const uploads = fakeUploads()
    renderWithQueries(<NewChatPage />)
    const upload = await attach(pdf(), uploads)

    expect(upload.method).toBe('POST')
    expect(new URL(upload.url).pathname).toBe('/api/v1/files')
    const sent = upload.body?.get('file')
    expect(sent instanceof File && sent.name).toBe('handbook.pdf')
    act(() => upload.progress(0.5))
    expect(await chip(/handbook\.pdf: Uploading 50%/)).toBeInTheDocument()
    expect(screen.getByRole('progressbar', { name: 'Uploading handbook.pdf' })).toHaveAttribute(
      'value',
      '0.5',
    )
    expect(screen.getByText('Waiting for a file to upload')).toBeInTheDocument()

    act(() => upload.respond(202, { ...fileResource(id), status: 'processing' }))
    expect(await chip(/handbook\.pdf: Still being read/)).toBeInTheDocument()
    expect(await chip(/handbook\.pdf: Ready/, nextPoll)).toBeInTheDocument()
    expect(screen.getByRole('combobox', { name: 'Answers use' })).toHaveValue('files')
  })

  it('says why a file could not be read', async () => {
    const id = '00000000-0000-4000-8000-00000000f002'
    serve({
      [id]: [
        fileResource(id, {
          name: 'secret.pdf',
          status: 'failed',
          error: 'The PDF is password-protected.',
        }),
      ],
    })
    const uploads = fakeUploads()
    renderWithQueries(<NewChatPage />)
    const upload = await attach(pdf('secret.pdf'), uploads)
    act(() => upload.respond(202, fileResource(id, { name: 'secret.pdf' })))
    expect(
      await chip(/secret\.pdf: Could not be read: The PDF is password-protected\./),
    ).toBeInTheDocument()
  })

  it('keeps the typed text and shows the server’s reason when it refuses a file', async () => {
    serve({})
    const uploads = fakeUploads()
    const { container } = renderWithQueries(<NewChatPage />)
    const box = screen.getByRole('textbox', { name: 'Message' })
    await userEvent.type(box, 'Summarise this')
    // The picker offers only the kinds read; a dropped file can be anything.
    fireEvent.drop(container.querySelector('.chat') as Element, {
      dataTransfer: { files: [new File(['MZ'], 'tool.exe')], types: ['Files'] },
    })
    await waitFor(() => expect(uploads).toHaveLength(1))
    const upload = uploads[0] as FakeUploadRequest
    act(() =>
      upload.respond(415, {
        error: {
          code: 'unsupported_media_type',
          message: 'Parley reads PDF, Word, Markdown, text, HTML and CSV files.',
          requestId: 'req-upload',
        },
      }),
    )
    expect(
      await chip(/tool\.exe: Parley reads PDF, Word, Markdown, text, HTML and CSV files\./),
    ).toBeInTheDocument()
    expect(box).toHaveValue('Summarise this')
    expect(getDraft('new')).toBe('Summarise this')
  })

  it('cancels an upload when its chip is removed', async () => {
    serve({})
    const uploads = fakeUploads()
    renderWithQueries(<NewChatPage />)
    const upload = await attach(pdf(), uploads)
    await userEvent.click(await screen.findByRole('button', { name: 'Remove handbook.pdf' }))
    expect(upload.aborted).toBe(true)
    expect(screen.queryByRole('listitem', { name: /handbook\.pdf/ })).not.toBeInTheDocument()
  })

  it('takes files dropped onto the chat or pasted into the message box', async () => {
    serve({})
    const uploads = fakeUploads()
    const { container } = renderWithQueries(<NewChatPage />)
    const chat = container.querySelector('.chat')
    if (!chat) throw new Error('no chat')
    fireEvent.drop(chat, { dataTransfer: { files: [pdf('dropped.pdf')], types: ['Files'] } })
    fireEvent.paste(screen.getByRole('textbox', { name: 'Message' }), {
      clipboardData: { files: [pdf('pasted.pdf')], types: ['Files'] },
    })
    await waitFor(() => expect(uploads).toHaveLength(2))
    expect(await chip(/dropped\.pdf: Uploading/)).toBeInTheDocument()
    expect(await chip(/pasted\.pdf: Uploading/)).toBeInTheDocument()
  })

  it('sets the chat’s files once it is created, before its first message is sent', async () => {
    const id = '00000000-0000-4000-8000-00000000f003'
    const calls = serve({ [id]: [fileResource(id, { status: 'ready' })] })
    const uploads = fakeUploads()
    renderWithQueries(<NewChatPage />)
    const upload = await attach(pdf(), uploads)
    act(() => upload.respond(202, fileResource(id)))
    await chip(/handbook\.pdf: Ready/)
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Message' }),
      'What is the leave?{Enter}',
    )

    await waitFor(() => expect(window.location.pathname).toBe(`/c/${conversationId}`))
    const writes = calls
      .filter((call) => call.method !== 'GET')
      .map(({ method, path }) => [method, path])
    expect(writes).toEqual([
      ['POST', '/conversations'],
      ['PUT', `/conversations/${conversationId}/files`],
      ['POST', `/conversations/${conversationId}/messages`],
    ])
    expect(calls.find((call) => call.method === 'PUT')?.body).toEqual({
      mode: 'files',
      fileIds: [id],
    })
  })

  it('sends only once an attached file is read, so the first answer reads it', async () => {
    const id = '00000000-0000-4000-8000-00000000f005'
    const calls = serve({
      [id]: [fileResource(id), fileResource(id, { status: 'ready', chunkCount: 3 })],
    })
    const uploads = fakeUploads()
    renderWithQueries(<NewChatPage />)
    const upload = await attach(pdf(), uploads)
    const box = screen.getByRole('textbox', { name: 'Message' })
    await userEvent.type(box, 'What is the leave?{Enter}')
    expect(screen.getByText('Waiting for a file to upload')).toBeInTheDocument()

    act(() => upload.respond(202, fileResource(id)))
    expect(await screen.findByText('Waiting for handbook.pdf to be read')).toBeInTheDocument()
    await userEvent.type(box, '{Enter}')
    expect(sendButton()).toBeDisabled()
    expect(box).toHaveValue('What is the leave?')
    expect(calls.filter((call) => call.method === 'POST')).toEqual([])

    await chip(/handbook\.pdf: Ready/, nextPoll)
    expect(screen.queryByText('Waiting for handbook.pdf to be read')).not.toBeInTheDocument()
    await userEvent.type(box, '{Enter}')
    await waitFor(() => expect(window.location.pathname).toBe(`/c/${conversationId}`))
    expect(calls.find((call) => call.method === 'PUT')?.body).toEqual({
      mode: 'files',
      fileIds: [id],
    })
  })

  it('does not hold the message for a file that could not be read, and says so', async () => {
    const id = '00000000-0000-4000-8000-00000000f006'
    serve({ [id]: [fileResource(id, { status: 'failed', error: 'The PDF is empty' })] })
    const uploads = fakeUploads()
    renderWithQueries(<NewChatPage />)
    const upload = await attach(pdf(), uploads)
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'Anything?')
    act(() => upload.respond(202, fileResource(id)))
    expect(
      await chip(/handbook\.pdf: Could not be read: The PDF is empty\. Answers will not use it\./),
    ).toBeInTheDocument()
    expect(sendButton()).toBeEnabled()
  })

  it('lets all of the user’s files be chosen instead', async () => {
    const calls = serve({})
    fakeUploads()
    renderWithQueries(<NewChatPage />)
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Answers use' }), 'all')
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Message' }),
      'Anything on leave?{Enter}',
    )
    await waitFor(() => expect(window.location.pathname).toBe(`/c/${conversationId}`))
    expect(calls.find((call) => call.method === 'PUT')?.body).toEqual({ mode: 'all' })
  })
})

describe('attaching files to a conversation', () => {
  it('adds each uploaded file to the files the conversation reads', async () => {
    const id = '00000000-0000-4000-8000-00000000f004'
    const calls = serve(
      {
        [earlierFileId]: [fileResource(earlierFileId, { name: 'policy.md', status: 'ready' })],
        [id]: [fileResource(id, { status: 'ready' })],
      },
      { mode: 'files', fileIds: [earlierFileId] },
    )
    const uploads = fakeUploads()
    renderWithQueries(<ConversationFiles />)
    expect(await chip(/policy\.md: Ready/)).toBeInTheDocument()
    const upload = await attach(pdf(), uploads)
    act(() => upload.respond(202, fileResource(id)))

    await waitFor(() =>
      expect(calls.filter((call) => call.method === 'PUT').map((call) => call.body)).toEqual([
        { mode: 'files', fileIds: [earlierFileId, id] },
      ]),
    )
    expect(await chip(/handbook\.pdf: Ready/)).toBeInTheDocument()
    expect(screen.getByRole('combobox', { name: 'Answers use' })).toHaveDisplayValue(
      'the 2 attached files',
    )
  })

  it('holds the message while a file of the conversation is still being read', async () => {
    serve(
      {
        [earlierFileId]: [
          fileResource(earlierFileId, { name: 'policy.md' }),
          fileResource(earlierFileId, { name: 'policy.md', status: 'ready' }),
        ],
      },
      { mode: 'files', fileIds: [earlierFileId] },
    )
    fakeUploads()
    renderWithQueries(<ConversationFiles />)
    expect(await screen.findByText('Waiting for policy.md to be read')).toBeInTheDocument()
    await chip(/policy\.md: Ready/, nextPoll)
    expect(screen.getByText('Ready to send')).toBeInTheDocument()
  })

  it('takes a removed file out of the conversation’s files', async () => {
    const calls = serve(
      { [earlierFileId]: [fileResource(earlierFileId, { name: 'policy.md', status: 'ready' })] },
      { mode: 'files', fileIds: [earlierFileId] },
    )
    fakeUploads()
    renderWithQueries(<ConversationFiles />)
    const policy = await chip(/policy\.md: Ready/)
    await userEvent.click(within(policy).getByRole('button', { name: 'Remove policy.md' }))
    await waitFor(() =>
      expect(calls.find((call) => call.method === 'PUT')?.body).toEqual({ mode: 'none' }),
    )
    await waitFor(() =>
      expect(screen.queryByRole('listitem', { name: /policy\.md/ })).not.toBeInTheDocument(),
    )
  })
})
