import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAnthropicProvider } from '../providers/anthropic/anthropic-provider.ts'
import { type FakeUpstream, startFakeUpstream } from '../testing/fake-upstream.ts'
import type { Scenario } from '../testing/scenarios.ts'
import type { ChatEvent, ChatRequest } from '../types.ts'
import { type RelayOptions, relayReply } from './relay-reply.ts'
import { startAttempt } from './start-attempt.ts'

let fake: FakeUpstream
beforeAll(async () => {
  fake = await startFakeUpstream()
})
afterAll(() => fake.close())

/** This test's own message: the scenarios and requests keyed by it belong to this test alone. */
const mine = () => `${expect.getState().currentTestName}`
const disconnected = () => fake.requestsFor({ lastUserMessage: mine() })[0]?.disconnected

/** Starts this test's attempt on `scenario` and relays it, collecting what the caller is sent. */
async function relay(scenario: Scenario, extra: Partial<RelayOptions> = {}) {
  fake.enqueue(scenario, { lastUserMessage: mine() })
  const provider = createAnthropicProvider({
    apiKey: 'sk-ant-test',
    baseUrl: fake.anthropicBaseUrl,
  })
  const signal = extra.signal ?? new AbortController().signal
  const request: ChatRequest = {
    model: 'claude-test',
    messages: [{ role: 'user', content: mine() }],
    maxOutputTokens: 100,
  }
  const start = await startAttempt(provider, request, { mode: 'stream', signal, timeoutMs: 5_000 })
  if (start.kind !== 'started') throw new Error(`expected a start, got ${start.kind}`)
  const events: ChatEvent[] = []
  const reply = await relayReply(start, {
    provider: provider.id,
    emit: (event) => events.push(event),
    signal,
    idleTimeoutMs: 5_000,
    ...extra,
  })
  return { events, reply }
}

describe('relayReply', () => {
  it('forwards the whole reply and ends on its finish', async () => {
    const { events, reply } = await relay({ kind: 'text', text: 'Fine, thanks.' })
    expect(events.map((e) => e.type)).toEqual(['text', 'text', 'usage', 'finish'])
    expect(reply).toMatchObject({ text: 'Fine, thanks.', finishReason: 'stop', error: null })
    expect(reply.usage).toMatchObject({ estimated: false })
  })

  it('ends a stream that goes silent with a timeout, keeping what arrived', async () => {
    const { events, reply } = await relay(
      { kind: 'hang', tokens: 10, afterTokens: 2 },
      { idleTimeoutMs: 100 },
    )
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { code: 'timeout' } })
    expect(reply).toMatchObject({ text: 'alpha bravo ', error: { code: 'timeout' } })
    await expect.poll(disconnected).toBe(true)
  })

  it("turns the caller's abort into an aborted reply and closes the upstream", async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const { reply } = await relay(
      { kind: 'text', tokens: 500, tokensPerSecond: 50 },
      { signal: controller.signal },
    )
    expect(reply.error?.code).toBe('aborted')
    expect(reply.text.length).toBeGreaterThan(0)
    expect(reply.finishReason).toBeNull()
    await expect.poll(disconnected).toBe(true)
  })

  it('passes on a stream the provider breaks, after the partial text', async () => {
    const { events, reply } = await relay({ kind: 'stream-error', tokens: 5, afterTokens: 2 })
    expect(events.map((e) => e.type)).toEqual(['text', 'text', 'error'])
    expect(reply.text).toBe('alpha bravo ')
    expect(reply.error).not.toBeNull()
  })
})
