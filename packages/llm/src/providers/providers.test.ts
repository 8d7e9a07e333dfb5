import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LlmError } from '../errors.ts'
import { type FakeUpstream, startFakeUpstream } from '../testing/fake-upstream.ts'
import type { ChatEvent, ChatProvider, ChatRequest, Usage } from '../types.ts'
import { createAnthropicProvider, toAnthropicMessages } from './anthropic/anthropic-provider.ts'
import { createDemoProvider, demoReply } from './demo/demo-provider.ts'
import { createOpenAIProvider } from './openai/openai-provider.ts'

let fake: FakeUpstream

beforeAll(async () => {
  fake = await startFakeUpstream()
})
afterAll(async () => {
  await fake.close()
})

/** This test's own message: the scenarios and requests keyed by it belong to this test alone. */
const mine = () => `${expect.getState().currentTestName}`
const sent = () => fake.requestsFor({ lastUserMessage: mine() })

interface Collected {
  text: string
  usage: Usage | undefined
  finish: string | undefined
  error: LlmError | undefined
  types: ChatEvent['type'][]
}

async function collect(events: AsyncIterable<ChatEvent>): Promise<Collected> {
  const result: Collected = {
    text: '',
    usage: undefined,
    finish: undefined,
    error: undefined,
    types: [],
  }
  for await (const event of events) {
    result.types.push(event.type)
    if (event.type === 'text') result.text += event.text
    if (event.type === 'usage') result.usage = event.usage
    if (event.type === 'finish') result.finish = event.reason
    if (event.type === 'error') result.error = event.error
  }
  return result
}

/** A short conversation whose last user message is this test's own. */
const ownRequest = (): ChatRequest => ({
  model: 'model-under-test',
  system: 'You are terse.',
  messages: [
    { role: 'user', content: 'Name three colours.' },
    { role: 'assistant', content: 'Red, green, blue.' },
    { role: 'user', content: mine() },
  ],
  maxOutputTokens: 200,
})

const providers: { name: string; make: () => ChatProvider }[] = [
  {
    name: 'openai',
    make: () => createOpenAIProvider({ apiKey: 'sk-test', baseUrl: fake.openaiBaseUrl }),
  },
  {
    name: 'anthropic',
    make: () => createAnthropicProvider({ apiKey: 'sk-ant-test', baseUrl: fake.anthropicBaseUrl }),
  },
]

describe.each(providers)('$name provider through the official SDK', ({ name, make }) => {
  const signal = () => new AbortController().signal

  it('gives the same text and usage, cached tokens included, streamed and buffered', async () => {
    const provider = make()
    const reply = {
      kind: 'text',
      text: 'Cyan, magenta and yellow.',
      usage: { cachedInputTokens: 7, reasoningTokens: 3 },
    } as const
    fake.enqueue(reply, { lastUserMessage: mine() })
    fake.enqueue(reply, { lastUserMessage: mine() })

    const streamed = await collect(provider.stream(ownRequest(), signal()))
    const buffered = await provider.complete(ownRequest(), signal())

    expect(streamed.text).toBe('Cyan, magenta and yellow.')
    expect(buffered.text).toBe(streamed.text)
    expect(streamed.usage).toEqual(buffered.usage)
    expect(streamed.usage).toMatchObject({
      cachedInputTokens: 7,
      reasoningTokens: 3,
      outputTokens: 4,
      estimated: false,
    })
    expect(streamed.usage?.inputTokens).toBeGreaterThan(7)
    expect(streamed.finish).toBe('stop')
    expect(buffered.finishReason).toBe('stop')
    expect(streamed.types.slice(-2)).toEqual(['usage', 'finish'])
    expect(sent().map((r) => [r.api, r.stream])).toEqual([
      [name, true],
      [name, false],
    ])
  })

  it('reports a length finish when the reply hit the output limit', async () => {
    fake.enqueue({ kind: 'text', tokens: 5, finishReason: 'length' }, { lastUserMessage: mine() })
    const streamed = await collect(make().stream(ownRequest(), signal()))
    expect(streamed.finish).toBe('length')
  })

  it('maps 429 with Retry-After to a retryable rate limit', async () => {
    fake.enqueue({ kind: 'status', status: 429, retryAfterSeconds: 2 }, { lastUserMessage: mine() })
    const streamed = await collect(make().stream(ownRequest(), signal()))
    expect(streamed.text).toBe('')
    expect(streamed.error).toMatchObject({
      code: 'rate_limited',
      retryable: true,
      retryAfterMs: 2_000,
      status: 429,
    })
  })

  it('maps 503 to a retryable unavailable provider', async () => {
    fake.enqueue({ kind: 'status', status: 503 }, { lastUserMessage: mine() })
    await expect(make().complete(ownRequest(), signal())).rejects.toMatchObject({
      code: 'provider_unavailable',
      retryable: true,
    })
  })

  it('recognises a prompt longer than the context window', async () => {
    fake.enqueue({ kind: 'context-too-long' }, { lastUserMessage: mine() })
    const streamed = await collect(make().stream(ownRequest(), signal()))
    expect(streamed.error).toMatchObject({ code: 'context_length_exceeded', retryable: false })
  })

  it('turns an error event inside a 200 stream into an error after the text', async () => {
    fake.enqueue({ kind: 'stream-error', tokens: 6, afterTokens: 2 }, { lastUserMessage: mine() })
    const streamed = await collect(make().stream(ownRequest(), signal()))
    expect(streamed.text).toBe('alpha bravo ')
    expect(streamed.types.at(-1)).toBe('error')
    expect(streamed.error?.code).toMatch(/provider_(error|unavailable)/)
  })

  it('turns a connection cut mid-stream into an error after the partial text', async () => {
    fake.enqueue({ kind: 'cut', tokens: 6, afterTokens: 3 }, { lastUserMessage: mine() })
    const streamed = await collect(make().stream(ownRequest(), signal()))
    expect(streamed.text).toBe('alpha bravo charlie ')
    expect(streamed.finish).toBeUndefined()
    expect(streamed.error?.code).toBe('provider_unavailable')
  })

  it('ends with an aborted error and closes the connection when the caller aborts', async () => {
    fake.enqueue({ kind: 'text', tokens: 200, tokensPerSecond: 100 }, { lastUserMessage: mine() })
    const controller = new AbortController()
    const seen: string[] = []
    let error: LlmError | undefined
    for await (const event of make().stream(ownRequest(), controller.signal)) {
      if (event.type === 'text') {
        seen.push(event.text)
        controller.abort()
      }
      if (event.type === 'error') error = event.error
    }
    expect(seen.length).toBeGreaterThan(0)
    expect(error?.code).toBe('aborted')
    await expect.poll(() => sent()[0]?.disconnected).toBe(true)
  })

  it('fails cleanly when nothing listens at the base URL', async () => {
    const unreachable =
      name === 'openai'
        ? createOpenAIProvider({ baseUrl: 'http://127.0.0.1:9/v1' })
        : createAnthropicProvider({ apiKey: 'x', baseUrl: 'http://127.0.0.1:9' })
    const streamed = await collect(unreachable.stream(ownRequest(), signal()))
    expect(streamed.error).toMatchObject({ code: 'provider_unavailable', retryable: true })
  })
})

describe('request shapes', () => {
  it('sends OpenAI the system prompt as the first message and asks for usage in the stream', async () => {
    const provider = createOpenAIProvider({ apiKey: 'sk-test', baseUrl: fake.openaiBaseUrl })
    await collect(
      provider.stream({ ...ownRequest(), temperature: 0.3 }, new AbortController().signal),
    )
    const body = sent()[0]?.body as Record<string, unknown>
    expect(body.messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      ...ownRequest().messages.map(({ role, content }) => ({ role, content })),
    ])
    expect(body.stream_options).toEqual({ include_usage: true })
    expect(body.temperature).toBe(0.3)
    // a non-OpenAI base URL is treated as a compatible server, which reads max_tokens
    expect(body.max_tokens).toBe(200)
    expect(sent()[0]?.headers.authorization).toBe('[redacted]')
  })

  it('sends Anthropic the system prompt separately and alternating turns', async () => {
    const provider = createAnthropicProvider({
      apiKey: 'sk-ant-test',
      baseUrl: fake.anthropicBaseUrl,
    })
    await provider.complete(
      {
        ...ownRequest(),
        messages: [
          { role: 'assistant', content: 'Hello! (a greeting the user never saw)' },
          { role: 'user', content: 'First part.' },
          { role: 'user', content: 'Second part.' },
          { role: 'assistant', content: '' },
          { role: 'assistant', content: 'Noted.' },
          { role: 'user', content: mine() },
        ],
      },
      new AbortController().signal,
    )
    const body = sent()[0]?.body as Record<string, unknown>
    expect(body.system).toBe('You are terse.')
    expect(body.max_tokens).toBe(200)
    expect(body.messages).toEqual([
      { role: 'user', content: 'First part.\n\nSecond part.' },
      { role: 'assistant', content: 'Noted.' },
      { role: 'user', content: mine() },
    ])
  })

  it('normalises turns for Anthropic without losing user text', () => {
    expect(
      toAnthropicMessages([
        { role: 'user', content: 'a' },
        { role: 'user', content: '   ' },
        { role: 'user', content: 'b' },
      ]),
    ).toEqual([{ role: 'user', content: 'a\n\nb' }])
  })
})

describe('demo provider', () => {
  const instant = createDemoProvider({ tokensPerSecond: 0, firstTokenDelayMs: 0 })

  const firstRequest = (): ChatRequest => ({
    ...ownRequest(),
    messages: [{ role: 'user', content: mine() }],
  })

  it('says plainly that no provider is configured and how to configure one', async () => {
    const streamed = await collect(instant.stream(firstRequest(), new AbortController().signal))
    expect(streamed.text).toMatch(/No model provider is configured/)
    expect(streamed.text).toMatch(/OPENAI_API_KEY/)
    expect(streamed.text).toMatch(/ANTHROPIC_API_KEY/)
    expect(streamed.text).toContain(mine())
    expect(streamed.finish).toBe('stop')
  })

  it('gives the setup hint in the first reply of a conversation only', async () => {
    const later = await collect(instant.stream(ownRequest(), new AbortController().signal))
    expect(later.text).not.toMatch(/OPENAI_API_KEY/)
    expect(later.text).toMatch(/Demo model/)
    expect(later.text).toContain(mine())
  })

  it('is deterministic and streams the same reply it returns buffered', async () => {
    const first = await collect(instant.stream(ownRequest(), new AbortController().signal))
    const second = await collect(instant.stream(ownRequest(), new AbortController().signal))
    const buffered = await instant.complete(ownRequest(), new AbortController().signal)
    expect(second.text).toBe(first.text)
    expect(buffered.text).toBe(first.text)
    expect(buffered.usage).toEqual(first.usage)
    expect(first.text).toBe(demoReply(ownRequest()))
  })

  it('paces its reply through the injected sleep', async () => {
    const waits: number[] = []
    const paced = createDemoProvider({
      tokensPerSecond: 50,
      firstTokenDelayMs: 300,
      sleep: async (ms) => {
        waits.push(ms)
      },
    })
    const streamed = await collect(paced.stream(ownRequest(), new AbortController().signal))
    const pieces = streamed.types.filter((type) => type === 'text').length
    expect(waits[0]).toBe(300)
    expect(waits.slice(1)).toEqual(Array(pieces - 1).fill(20))
  })
})
