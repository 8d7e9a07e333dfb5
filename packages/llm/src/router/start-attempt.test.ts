import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOpenAIProvider } from '../providers/openai/openai-provider.ts'
import { type FakeUpstream, startFakeUpstream } from '../testing/fake-upstream.ts'
import type { ChatEvent, ChatProvider, ChatRequest } from '../types.ts'
import { type AttemptOptions, startAttempt } from './start-attempt.ts'

let fake: FakeUpstream
let provider: ChatProvider

beforeAll(async () => {
  fake = await startFakeUpstream()
  provider = createOpenAIProvider({ apiKey: 'sk-test', baseUrl: fake.openaiBaseUrl })
})
afterAll(async () => {
  await fake.close()
})

/** This test's own message: the scenarios and requests keyed by it belong to this test alone. */
const mine = () => `${expect.getState().currentTestName}`
const sent = () => fake.requestsFor({ lastUserMessage: mine() })
const request = (): ChatRequest => ({
  model: 'gpt-test',
  messages: [{ role: 'user', content: mine() }],
  maxOutputTokens: 100,
})
const options = (extra: Partial<AttemptOptions> = {}): AttemptOptions => ({
  mode: 'stream',
  signal: new AbortController().signal,
  timeoutMs: 5_000,
  ...extra,
})

async function rest(iterator: AsyncIterator<ChatEvent>): Promise<ChatEvent['type'][]> {
  const types: ChatEvent['type'][] = []
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    types.push(next.value.type)
  }
  return types
}

describe('startAttempt', () => {
  it('starts on the first token and hands over the rest of the stream', async () => {
    fake.enqueue({ kind: 'text', text: 'one two three' }, { lastUserMessage: mine() })
    const start = await startAttempt(provider, request(), options())
    if (start.kind !== 'started') throw new Error(`expected a start, got ${start.kind}`)
    expect(start.first).toEqual([{ type: 'text', text: 'one ' }])
    expect(await rest(start.iterator)).toEqual(['text', 'text', 'usage', 'finish'])
  })

  it('starts a buffered attempt the same way, from one completion', async () => {
    fake.enqueue({ kind: 'text', text: 'one two three' }, { lastUserMessage: mine() })
    const start = await startAttempt(provider, request(), options({ mode: 'buffered' }))
    if (start.kind !== 'started') throw new Error(`expected a start, got ${start.kind}`)
    expect(start.first).toEqual([{ type: 'text', text: 'one two three' }])
    expect(await rest(start.iterator)).toEqual(['usage', 'finish'])
    expect(sent().map((r) => r.stream)).toEqual([false])
  })

  it('gives up on an attempt with no first token in time and closes its connection', async () => {
    fake.enqueue({ kind: 'hang' }, { lastUserMessage: mine() })
    const start = await startAttempt(provider, request(), options({ timeoutMs: 100 }))
    expect(start).toMatchObject({
      kind: 'failed',
      error: { code: 'timeout', provider: 'openai', detail: 'no first token within 100 ms' },
    })
    await expect.poll(() => sent()[0]?.disconnected).toBe(true)
  })

  it("passes on the provider's own failure", async () => {
    fake.enqueue({ kind: 'status', status: 429, retryAfterSeconds: 1 }, { lastUserMessage: mine() })
    const start = await startAttempt(provider, request(), options())
    expect(start).toMatchObject({
      kind: 'failed',
      error: { code: 'rate_limited', retryAfterMs: 1_000 },
    })
  })

  it('reports the caller aborting before the first token as an abort, not a failure', async () => {
    fake.enqueue({ kind: 'hang' }, { lastUserMessage: mine() })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    const start = await startAttempt(provider, request(), options({ signal: controller.signal }))
    expect(start).toEqual({ kind: 'aborted' })
    await expect.poll(() => sent()[0]?.disconnected).toBe(true)
  })
})
