import { randomUUID } from 'node:crypto'
import { inspect } from '@parley/db/testing'
import { eventLoopLagDuring } from '@parley/llm/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  chatModel,
  eventually,
  fallbackModel,
  readEvents,
  startTestServer,
  type TestServer,
} from '../testing/test-server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server?.close())

type User = Awaited<ReturnType<TestServer['user']>>

async function newConversation(user: User, body: Record<string, unknown> = {}) {
  const response = await server.call(user.token, '/api/v1/conversations', {
    method: 'POST',
    json: body,
  })
  expect(response.status).toBe(201)
  return (await response.json()) as { id: string; title: string | null }
}

function send(user: User, conversationId: string, body: Record<string, unknown>, sse = true) {
  return server.call(user.token, `/api/v1/conversations/${conversationId}/messages`, {
    method: 'POST',
    json: body,
    headers: sse ? { accept: 'text/event-stream' } : {},
  })
}

/** The conversation's title, once it has one (titles are stored after the reply). */
function titleOnceSet(user: User, conversationId: string) {
  return eventually(async () => {
    const response = await server.call(user.token, `/api/v1/conversations/${conversationId}`)
    return ((await response.json()) as { title: string | null }).title ?? undefined
  })
}

const rowsOf = (conversationId: string) => inspect.messages(server.db, conversationId)
const usageOf = (messageId: string) => inspect.usageOfMessage(server.db, messageId)

describe('a chat turn', () => {
  it('streams the reply and records message, usage, totals and a title', async () => {
    const user = await server.user()
    const conversation = await newConversation(user)
    server.fake.enqueue(
      {
        kind: 'text',
        text: 'Paris is the capital of France.',
        usage: { inputTokens: 40, outputTokens: 9 },
      },
      { lastUserMessage: 'What is the capital of France?' },
    )
    const response = await send(user, conversation.id, {
      content: 'What is the capital of France?',
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const events = await readEvents(response)

    expect(events[0]?.event).toBe('start')
    const deltas = events
      .filter((e) => e.event === 'delta')
      .map((e) => (e.data as { text: string }).text)
    expect(deltas.length).toBeGreaterThan(1)
    expect(deltas.join('')).toBe('Paris is the capital of France.')
    const done = events.at(-1)
    expect(done?.event).toBe('done')
    const data = done?.data as {
      assistantMessage: { id: string; status: string; content: string; model: string }
      usage: { inputTokens: number; outputTokens: number; costMicroUsd: number }
      conversation: { title: string | null; inputTokens: number; outputTokens: number }
    }
    expect(data.assistantMessage).toMatchObject({
      status: 'complete',
      content: 'Paris is the capital of France.',
      model: chatModel,
    })
    expect(data.usage).toMatchObject({ inputTokens: 40, outputTokens: 9 })
    expect(data.usage.costMicroUsd).toBeGreaterThan(0)
    expect(data.conversation).toMatchObject({ inputTokens: 40, outputTokens: 9 })
    expect(data.conversation.title).toBeTruthy()

    const [usage] = await usageOf(data.assistantMessage.id)
    expect(usage).toMatchObject({
      status: 'ok',
      provider: 'openai',
      model: chatModel,
      attempts: 1,
      fallbackFrom: null,
      promptName: 'chat.system',
      costMicroUsd: data.usage.costMicroUsd,
    })
    // The system prompt comes from the versioned template; the history from the database.
    const [request] = server.fake.requestsFor({ lastUserMessage: 'What is the capital of France?' })
    expect(JSON.stringify(request?.body)).toContain('Parley')
  })

  it('builds the model context from the stored thread, never from what the client sends', async () => {
    const user = await server.user()
    const conversation = await newConversation(user)
    await readEvents(await send(user, conversation.id, { content: 'My name is Ada.' }))
    await readEvents(await send(user, conversation.id, { content: 'What is my name?' }))
    const request = server.fake.requests.find((r) => r.lastUserMessage === 'What is my name?')
    const body = request?.body as { messages: { role: string; content: string }[] }
    const contents = body.messages.map((m) => m.content)
    expect(contents).toContain('My name is Ada.')
    expect(contents.at(-1)).toBe('What is my name?')
  })

  it('answers once with JSON when the client does not ask for a stream', async () => {
    const user = await server.user()
    const conversation = await newConversation(user)
    server.fake.enqueue(
      { kind: 'text', text: 'Plain JSON answer.' },
      { lastUserMessage: 'json please' },
    )
    const response = await send(user, conversation.id, { content: 'json please' }, false)
    expect(response.status).toBe(201)
    const body = (await response.json()) as {
      userMessage: { content: string }
      assistantMessage: { content: string; status: string }
    }
    expect(body.userMessage.content).toBe('json please')
    expect(body.assistantMessage).toMatchObject({
      content: 'Plain JSON answer.',
      status: 'complete',
    })
  })

  it('never stores a second user message when the same id is sent again', async () => {
    const user = await server.user()
    const conversation = await newConversation(user)
    const id = randomUUID()
    server.fake.enqueue(
      { kind: 'text', text: 'First and only reply.' },
      { lastUserMessage: 'once' },
    )
    const first = await readEvents(await send(user, conversation.id, { id, content: 'once' }))
    const again = await readEvents(await send(user, conversation.id, { id, content: 'once' }))
    const json = await send(user, conversation.id, { id, content: 'once' }, false)

    expect(json.status).toBe(201)
    const firstStart = first[0]?.data as { assistantMessage: { id: string } }
    const againStart = again[0]?.data as {
      userMessage: { id: string }
      assistantMessage: { id: string }
    }
    expect(againStart.userMessage.id).toBe(id)
    expect(againStart.assistantMessage.id).toBe(firstStart.assistantMessage.id)
    expect(again.at(-1)?.event).toBe('done')
    expect(
      again
        .filter((e) => e.event === 'delta')
        .map((e) => (e.data as { text: string }).text)
        .join(''),
    ).toBe('First and only reply.')
    const rows = await rowsOf(conversation.id)
    expect(rows.filter((r) => r.role === 'user')).toHaveLength(1)
    expect(rows.filter((r) => r.role === 'assistant')).toHaveLength(1)
    expect(server.fake.requests.filter((r) => r.lastUserMessage === 'once')).toHaveLength(1)
  })

  it('follows the live reply when a send is repeated while it is still streaming', async () => {
    const user = await server.user()
    const conversation = await newConversation(user)
    const id = randomUUID()
    server.fake.enqueue(
      { kind: 'text', tokens: 30, tokensPerSecond: 100 },
      { lastUserMessage: 'slow one' },
    )
    const firstResponse = send(user, conversation.id, { id, content: 'slow one' })
    const first = firstResponse.then(readEvents)
    await eventually(() => server.fake.requests.some((r) => r.lastUserMessage === 'slow one'))
    const second = await readEvents(await send(user, conversation.id, { id, content: 'slow one' }))
    const firstEvents = await first
    const text = (events: typeof second) =>
      events
        .filter((e) => e.event === 'delta')
        .map((e) => (e.data as { text: string }).text)
        .join('')
    expect(second.at(-1)?.event).toBe('done')
    expect(text(second)).toBe(text(firstEvents))
    expect((await rowsOf(conversation.id)).filter((r) => r.role === 'assistant')).toHaveLength(1)
  })

  it('stops the provider when the client goes away and keeps the partial reply', async () => {
    const user = await server.user()
    const conversation = await newConversation(user)
    server.fake.enqueue(
      { kind: 'text', tokens: 400, tokensPerSecond: 50 },
      { lastUserMessage: 'tell me a long story' },
    )
    const controller = new AbortController()
    const response = await server.call(
      user.token,
      `/api/v1/conversations/${conversation.id}/messages`,
      {
        method: 'POST',
        json: { content: 'tell me a long story' },
        headers: { accept: 'text/event-stream' },
        signal: controller.signal,
      },
    )
    const events = await readEvents(
      response,
      (_event, all) => all.filter((e) => e.event === 'delta').length >= 3,
    )
    const start = events[0]?.data as { assistantMessage: { id: string } }
    controller.abort()

    const upstream = await eventually(() =>
      server.fake.requests.find(
        (r) => r.lastUserMessage === 'tell me a long story' && r.disconnected,
      ),
    )
    expect(upstream.state).toBe('disconnected')
    const saved = await eventually(async () => {
      const row = (await rowsOf(conversation.id)).find((r) => r.id === start.assistantMessage.id)
      return row?.status === 'incomplete' ? row : undefined
    })
    expect(saved.content.length).toBeGreaterThan(0)
    expect(saved.error).toMatchObject({ code: 'stopped' })
    const [usage] = await eventually(async () => {
      const rows = await usageOf(saved.id)
      return rows.length ? rows : undefined
    })
    expect(usage?.status).toBe('aborted')
    // The conversation is still named from what was said.
    const named = await titleOnceSet(user, conversation.id)
    expect(named.length).toBeGreaterThan(0)
  })

  it('writes progress while streaming, so a crash loses little', async () => {
    const user = await server.user()
    const conversation = await newConversation(user)
    server.fake.enqueue(
      { kind: 'text', tokens: 60, tokensPerSecond: 60 },
      { lastUserMessage: 'progress please' },
    )
    const reading = send(user, conversation.id, { content: 'progress please' }).then(readEvents)
    const partial = await eventually(async () => {
      const row = (await rowsOf(conversation.id)).find((r) => r.role === 'assistant')
      return row?.status === 'streaming' && row.content.length > 0 ? row : undefined
    })
    expect(partial.content.length).toBeGreaterThan(0)
    const events = await reading
    expect(events.at(-1)?.event).toBe('done')
  })

  it('ends with an error event and keeps the partial text when the provider breaks mid-stream', async () => {
    const user = await server.user()
    const conversation = await newConversation(user)
    server.fake.enqueue(
      { kind: 'cut', text: 'one two three four five six', afterTokens: 3 },
      { lastUserMessage: 'cut me off' },
    )
    const events = await readEvents(await send(user, conversation.id, { content: 'cut me off' }))
    const last = events.at(-1)
    expect(last?.event).toBe('error')
    const data = last?.data as {
      error: { code: string; requestId: string }
      assistantMessage: { status: string; content: string; id: string }
    }
    expect(data.error.code).toMatch(/^provider_/)
    expect(data.error.requestId).toBeTruthy()
    expect(data.assistantMessage.status).toBe('incomplete')
    expect(data.assistantMessage.content).toBe('one two three ')
    // Nothing is retried after the first token.
    expect(server.fake.requests.filter((r) => r.lastUserMessage === 'cut me off')).toHaveLength(1)
    const [usage] = await usageOf(data.assistantMessage.id)
    expect(usage?.status).toBe('error')
  })

  it('hides a rate limit that clears on retry', async () => {
    const user = await server.user()
    const conversation = await newConversation(user)
    server.fake.enqueue(
      { kind: 'status', status: 429, retryAfterSeconds: 0 },
      { lastUserMessage: 'are you busy?' },
    )
    server.fake.enqueue(
      { kind: 'text', text: 'Got through.' },
      { lastUserMessage: 'are you busy?' },
    )
    const events = await readEvents(await send(user, conversation.id, { content: 'are you busy?' }))
    expect(events.map((e) => e.event).filter((e) => e !== 'delta')).toEqual(['start', 'done'])
    const done = events.at(-1)?.data as { assistantMessage: { id: string; content: string } }
    expect(done.assistantMessage.content).toBe('Got through.')
    const [usage] = await usageOf(done.assistantMessage.id)
    expect(usage).toMatchObject({ status: 'ok', attempts: 2, fallbackFrom: null })
  })

  it('falls back to the second provider and records where it fell back from', async () => {
    const user = await server.user()
    const conversation = await newConversation(user)
    server.fake.enqueue(
      { kind: 'status', status: 500, times: 3 },
      { api: 'openai', lastUserMessage: 'please fallback' },
    )
    server.fake.enqueue(
      { kind: 'text', text: 'Anthropic here.' },
      { api: 'anthropic', lastUserMessage: 'please fallback' },
    )
    const events = await readEvents(
      await send(user, conversation.id, { content: 'please fallback' }),
    )
    const done = events.at(-1)
    expect(done?.event).toBe('done')
    const data = done?.data as {
      assistantMessage: { id: string; content: string; model: string; provider: string }
    }
    expect(data.assistantMessage).toMatchObject({
      content: 'Anthropic here.',
      model: fallbackModel,
      provider: 'anthropic',
      metadata: { fallbackFrom: chatModel, fallbackReason: 'provider_error' },
    })
    const [usage] = await usageOf(data.assistantMessage.id)
    expect(usage).toMatchObject({ status: 'ok', fallbackFrom: chatModel, provider: 'anthropic' })
  })

  it('lets auto choose the model, and stores why with the reply', async () => {
    const user = await server.user()
    const conversation = await newConversation(user, { model: 'auto' })
    server.fake.enqueue({ kind: 'text', text: 'Auto answered.' }, { lastUserMessage: 'auto, hi' })
    const events = await readEvents(await send(user, conversation.id, { content: 'auto, hi' }))
    const done = events.at(-1)
    expect(done?.event).toBe('done')
    const data = done?.data as {
      assistantMessage: { content: string; model: string; metadata: Record<string, unknown> }
    }
    expect(data.assistantMessage.content).toBe('Auto answered.')
    expect(data.assistantMessage.model).not.toBe('auto')
    expect(data.assistantMessage.metadata).toMatchObject({ autoReasons: ['short simple turn'] })
  })

  it('regenerates a reply as a sibling that replaces it in the thread', async () => {
    const user = await server.user()
    const conversation = await newConversation(user)
    server.fake.enqueue(
      { kind: 'text', text: 'First answer.' },
      { lastUserMessage: 'answer twice' },
    )
    const first = await readEvents(await send(user, conversation.id, { content: 'answer twice' }))
    const firstDone = first.at(-1)?.data as { assistantMessage: { id: string } } | undefined
    if (!firstDone) throw new Error('the first reply finished')
    const firstReply = firstDone.assistantMessage

    server.fake.enqueue(
      { kind: 'text', text: 'Second answer.' },
      { lastUserMessage: 'answer twice' },
    )
    const response = await server.call(
      user.token,
      `/api/v1/conversations/${conversation.id}/messages/${firstReply.id}/regenerate`,
      { method: 'POST', json: {}, headers: { accept: 'text/event-stream' } },
    )
    const events = await readEvents(response)
    const done = events.at(-1)?.data as { assistantMessage: { id: string; content: string } }
    expect(done.assistantMessage.content).toBe('Second answer.')

    const thread = (await (
      await server.call(user.token, `/api/v1/conversations/${conversation.id}/messages`)
    ).json()) as { items: { id: string; content: string }[] }
    expect(thread.items.map((m) => m.content)).toEqual(['answer twice', 'Second answer.'])
    // The replaced reply is kept, and the model saw the question once, not the old answer.
    expect((await rowsOf(conversation.id)).some((r) => r.id === firstReply.id)).toBe(true)
    const request = server.fake.requestsFor({ lastUserMessage: 'answer twice' }).at(-1)?.body as {
      messages: { content: string }[]
    }
    expect(request.messages.map((m) => m.content)).not.toContain('First answer.')
  })

  it('caps how many replies one user streams at once', async () => {
    const user = await server.user()
    const conversation = await newConversation(user)
    server.fake.enqueue(
      { kind: 'text', tokens: 200, tokensPerSecond: 20, times: 3 },
      { lastUserMessageIncludes: 'parallel ', stream: true },
    )
    const controllers = [1, 2, 3].map(() => new AbortController())
    const running = controllers.map((controller, i) =>
      server.call(user.token, `/api/v1/conversations/${conversation.id}/messages`, {
        method: 'POST',
        json: { content: `parallel ${i}` },
        headers: { accept: 'text/event-stream' },
        signal: controller.signal,
      }),
    )
    await Promise.all(running)
    const fourth = await send(user, conversation.id, { content: 'one too many' })
    expect(fourth.status).toBe(429)
    expect(fourth.headers.get('retry-after')).toBe('5')
    expect(((await fourth.json()) as { error: { code: string } }).error.code).toBe('rate_limited')
    for (const controller of controllers) controller.abort()
    expect((await rowsOf(conversation.id)).some((r) => r.content === 'one too many')).toBe(false)
  })
})

describe('what a turn sends and stores', () => {
  it('stores an overlong generated title cut to size, and asks for a title only once', async () => {
    const user = await server.user()
    const conversation = await newConversation(user)
    const word = 'Extraordinarily'.repeat(3)
    server.fake.enqueue(
      { kind: 'text', text: Array.from({ length: 6 }, () => word).join(' ') },
      { lastUserMessageIncludes: 'name me at length', stream: false },
    )
    await readEvents(await send(user, conversation.id, { content: 'name me at length' }))
    await readEvents(await send(user, conversation.id, { content: 'then name me at length again' }))

    const named = await titleOnceSet(user, conversation.id)
    expect(named).toBe(`${word} ${word}`)
    expect(
      server.fake.requestsFor({ lastUserMessageIncludes: 'name me', stream: false }),
    ).toHaveLength(1)
  })

  it('refuses a message that answers itself, with the envelope, and stores nothing', async () => {
    const user = await server.user()
    const conversation = await newConversation(user)
    const id = randomUUID()
    const response = await send(user, conversation.id, {
      id,
      parentId: id,
      content: 'my own parent',
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({
      error: {
        code: 'validation_error',
        message: 'parentId: a message cannot answer itself',
        requestId: response.headers.get('x-request-id'),
      },
    })
    expect(await rowsOf(conversation.id)).toEqual([])
    expect(server.fake.requestsFor({ lastUserMessage: 'my own parent' })).toEqual([])
  })

  it('keeps serving others while counting messages built to be slow to tokenise', async () => {
    const user = await server.user()
    // An ordinary turn first: the tokenizer's tables load once, on the first count.
    const warm = await newConversation(user)
    await readEvents(await send(user, warm.id, { content: 'warm the tokenizer up' }))
    const contents = ['a'.repeat(100_000), `${' '.repeat(99_999)}?`, `${' \n'.repeat(49_999)}?`]
    const conversations = await Promise.all(contents.map(() => newConversation(user)))
    for (const content of contents) {
      server.fake.enqueue({ kind: 'text', text: 'Counted.' }, { lastUserMessage: content })
    }
    const statuses: number[] = []
    const lagMs = await eventLoopLagDuring(() =>
      Promise.all(
        contents.map(async (content, i) => {
          const response = await send(user, conversations[i]?.id ?? '', { content }, false)
          statuses.push(response.status)
          await response.body?.cancel()
        }),
      ),
    )
    expect(statuses).toEqual([201, 201, 201])
    // Encoding one such message whole blocked the loop for about 4 s (13 s for the three); what
    // is left is the in-process test database storing 300 kB, hence the generous bound.
    expect(lagMs).toBeLessThan(1_500)
  })

  it('tells the provider the display name the user chose, and never their email', async () => {
    const user = await server.user()
    const conversation = await newConversation(user)
    const localPart = user.email.split('@')[0] ?? user.email
    const systemSent = (content: string) =>
      JSON.stringify(server.fake.requestsFor({ lastUserMessage: content })[0]?.body ?? null)

    await readEvents(await send(user, conversation.id, { content: 'who am I, unnamed?' }))
    expect(systemSent('who am I, unnamed?')).toContain('Parley')
    expect(systemSent('who am I, unnamed?')).not.toContain(localPart)

    const renamed = await server.call(user.token, '/api/v1/me', {
      method: 'PATCH',
      json: { displayName: 'Grace Hopper' },
    })
    expect(renamed.status).toBe(200)
    await readEvents(await send(user, conversation.id, { content: 'who am I, named?' }))
    expect(systemSent('who am I, named?')).toContain('talking with Grace Hopper')
    expect(systemSent('who am I, named?')).not.toContain(localPart)
  })
})
