import type { Conversation, Message, StreamEvent } from '@parley/schema/contracts'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiRequestError } from '../../../lib/api-error.ts'
import { queryClient } from '../../../lib/query-client.ts'
import { queryKeys } from '../../../lib/query-keys.ts'
import { messageFixture } from '../message-fixture.ts'
import { flushLiveText, resetStreams, setTurn, useStreamStore } from '../stores/stream-store.ts'
import { followReply, runTurn, stopReply } from './chat-turn.ts'
import { flattenPages, type MessagePages } from './message-cache.ts'

const conversationId = '00000000-0000-4000-8000-000000000001'

afterEach(() => {
  queryClient.clear()
  resetStreams()
  vi.unstubAllGlobals()
})

const thread = () =>
  flattenPages(queryClient.getQueryData<MessagePages>(queryKeys.messages(conversationId)))

/** The events of one reply, as the server would send them, optionally aborted midway. */
async function* events(list: StreamEvent[], abortAfter?: number): AsyncGenerator<StreamEvent> {
  for (const [index, event] of list.entries()) {
    if (index === abortAfter) throw new DOMException('The user aborted a request.', 'AbortError')
    yield event
  }
}

function startOf(): { user: Message; reply: Message; start: StreamEvent } {
  const user = messageFixture({ role: 'user', content: 'Tell me about tea' })
  const reply = messageFixture({ parentId: user.id, status: 'streaming' })
  return {
    user,
    reply,
    start: { event: 'start', data: { userMessage: user, assistantMessage: reply } },
  }
}

const delta = (text: string): StreamEvent => ({ event: 'delta', data: { text } })

describe('the turn runner, reading a reply’s events', () => {
  it('shows the live text while streaming, then the stored reply and the conversation’s new totals', async () => {
    const { user, reply, start } = startOf()
    const stored = { ...reply, content: 'Green, then black.', status: 'complete' as const }
    const conversation = { id: conversationId, title: 'Tea' } as Conversation
    let liveAfterDeltas = ''
    let turnWhileStreaming: unknown
    async function* withPeek(): AsyncGenerator<StreamEvent> {
      yield start
      yield delta('Green, ')
      yield delta('then black.')
      // What the next frame paints, and the turn the page shows as streaming.
      liveAfterDeltas = flushLiveText(reply.id)
      turnWhileStreaming = useStreamStore.getState().turns[conversationId]
      yield {
        event: 'done',
        data: {
          assistantMessage: stored,
          usage: {
            inputTokens: 5,
            outputTokens: 4,
            cachedInputTokens: 0,
            costMicroUsd: 9,
            costUsd: 0.000009,
          },
          conversation,
        },
      }
    }
    let started = false
    await runTurn(conversationId, 'send', withPeek(), () => {
      started = true
    })

    expect(started).toBe(true)
    expect(liveAfterDeltas).toBe('Green, then black.')
    expect(turnWhileStreaming).toMatchObject({ phase: 'streaming', assistantMessageId: reply.id })
    expect(thread().map(({ id, content, status }) => ({ id, content, status }))).toEqual([
      { id: user.id, content: 'Tell me about tea', status: 'complete' },
      { id: reply.id, content: 'Green, then black.', status: 'complete' },
    ])
    expect(queryClient.getQueryData(queryKeys.conversation(conversationId))).toEqual(conversation)
  })

  it('keeps the reply the server stored when it ends with an error', async () => {
    const { reply, start } = startOf()
    const stored = {
      ...reply,
      content: 'Green',
      status: 'incomplete' as const,
      error: { code: 'provider_error' as const, message: 'The model provider returned an error.' },
    }
    await runTurn(
      conversationId,
      'send',
      events([
        start,
        delta('Green'),
        {
          event: 'error',
          data: { error: { ...stored.error, requestId: 'r1' }, assistantMessage: stored },
        },
      ]),
    )
    expect(thread().at(-1)).toMatchObject({
      content: 'Green',
      status: 'incomplete',
      error: stored.error,
    })
  })

  it('builds the ending from the text that arrived when the error carries no reply', async () => {
    const { start } = startOf()
    const failure = { code: 'provider_unavailable' as const, message: 'down', requestId: 'r2' }
    await runTurn(
      conversationId,
      'send',
      events([start, delta('Half a'), { event: 'error', data: { error: failure } }]),
    )
    expect(thread().at(-1)).toMatchObject({
      content: 'Half a',
      status: 'incomplete',
      error: { code: 'provider_unavailable', message: 'down' },
    })

    const empty = startOf()
    await runTurn(
      conversationId,
      'send',
      events([empty.start, { event: 'error', data: { error: failure } }]),
    )
    expect(thread().at(-1)).toMatchObject({ id: empty.reply.id, content: '', status: 'error' })
  })

  it('marks a reply cut off by a dropped connection, keeping its text', async () => {
    const { start } = startOf()
    await runTurn(conversationId, 'send', events([start, delta('Interrupted mid')]))
    expect(thread().at(-1)).toMatchObject({
      content: 'Interrupted mid',
      status: 'incomplete',
      error: { code: 'network_error' },
    })
  })

  it('marks a reply the user stopped as stopped, keeping its text', async () => {
    const { start } = startOf()
    await runTurn(
      conversationId,
      'send',
      events([start, delta('Stopped here'), delta(' not this')], 2),
    )
    expect(thread().at(-1)).toMatchObject({
      content: 'Stopped here',
      status: 'incomplete',
      error: { code: 'stopped' },
    })
  })

  it('throws a refusal that came before the reply started, and stores nothing', async () => {
    const refusal: StreamEvent = {
      event: 'error',
      data: { error: { code: 'budget_exceeded', message: 'Budget used up', requestId: 'r3' } },
    }
    const run = runTurn(conversationId, 'send', events([refusal]))
    await expect(run).rejects.toBeInstanceOf(ApiRequestError)
    await expect(runTurn(conversationId, 'send', events([refusal]))).rejects.toMatchObject({
      code: 'budget_exceeded',
      requestId: 'r3',
    })
    expect(thread()).toEqual([])
  })
})

/** The server's answer to a follow: the reply's events as server-sent events. */
function sse(list: StreamEvent[]): Response {
  const body = list.map((e) => `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`).join('')
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
}

describe('a reply the page did not start (after a reload)', () => {
  it('is followed once: its text so far, then the rest, ending stored', async () => {
    const { user, reply, start } = startOf()
    const stored = { ...reply, content: 'Green, then black.', status: 'complete' as const }
    const fetch = vi.fn(async (_input: RequestInfo | URL) =>
      sse([
        start,
        delta('Green, '),
        delta('then black.'),
        {
          event: 'done',
          data: {
            assistantMessage: stored,
            usage: {
              inputTokens: 5,
              outputTokens: 4,
              cachedInputTokens: 0,
              costMicroUsd: 9,
              costUsd: 0.000009,
            },
            conversation: { id: conversationId, title: 'Tea' } as Conversation,
          },
        },
      ]),
    )
    vi.stubGlobal('fetch', fetch)
    await followReply({ conversationId, assistantMessageId: reply.id })
    expect(String(fetch.mock.calls[0]?.[0])).toContain(
      `/conversations/${conversationId}/messages/${reply.id}/stream`,
    )
    expect(thread().map(({ id, status }) => ({ id, status }))).toEqual([
      { id: user.id, status: 'complete' },
      { id: reply.id, status: 'complete' },
    ])
    expect(useStreamStore.getState().turns[conversationId]).toBeUndefined()
    await followReply({ conversationId, assistantMessageId: reply.id })
    expect(fetch).toHaveBeenCalledTimes(1)
  })
})

describe('Stop', () => {
  it('asks the server to stop the reply, which would otherwise wait for its page to come back', () => {
    const fetch = vi.fn(async () => new Response(null, { status: 204 }))
    vi.stubGlobal('fetch', fetch)
    const replyId = '00000000-0000-4000-8000-0000000000aa'
    setTurn(conversationId, { kind: 'send', phase: 'streaming', assistantMessageId: replyId })
    stopReply(conversationId)
    return vi.waitFor(() => {
      const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit]
      expect(url).toContain(`/conversations/${conversationId}/messages/${replyId}/stop`)
      expect(init.method).toBe('POST')
    })
  })
})
