import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeUpstream, startFakeUpstream } from '../testing/fake-upstream.ts'
import type { Scenario } from '../testing/scenarios.ts'
import type { ChatProvider } from '../types.ts'
import { createAnthropicProvider } from './anthropic/anthropic-provider.ts'
import { createOpenAIProvider } from './openai/openai-provider.ts'
import { classifyHttpFailure, parseRetryAfter } from './sdk-errors.ts'

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-22T12:00:00Z')
  const read = (headers: Record<string, string>) => parseRetryAfter(new Headers(headers), now)

  it('prefers the precise milliseconds header', () => {
    expect(read({ 'retry-after-ms': '1500', 'retry-after': '9' })).toBe(1_500)
  })

  it('reads seconds and HTTP dates', () => {
    expect(read({ 'retry-after': '2' })).toBe(2_000)
    expect(read({ 'retry-after': 'Sun, 22 Nov 2026 12:00:30 GMT' })).toBe(30_000)
    expect(read({ 'retry-after': 'Sun, 22 Nov 2026 11:00:00 GMT' })).toBe(0)
  })

  it('ignores what it cannot read', () => {
    expect(read({})).toBeUndefined()
    expect(read({ 'retry-after': 'soon' })).toBeUndefined()
    expect(read({ 'retry-after': '-3' })).toBeUndefined()
    expect(read({ 'retry-after-ms': 'x', 'retry-after': '1' })).toBe(1_000)
    expect(parseRetryAfter(undefined)).toBeUndefined()
  })
})

describe('classifyHttpFailure', () => {
  const classify = (status: number | undefined, extra: Partial<{ type: string; code: string }>) =>
    classifyHttpFailure({ status, detail: 'upstream said no', provider: 'p', ...extra })

  it.each([
    [429, {}, 'rate_limited', true],
    [undefined, { type: 'rate_limit_error' }, 'rate_limited', true],
    [408, {}, 'timeout', true],
    [502, {}, 'provider_unavailable', true],
    [529, {}, 'provider_unavailable', true],
    [undefined, { type: 'overloaded_error' }, 'provider_unavailable', true],
    [500, {}, 'provider_error', true],
    [400, {}, 'invalid_request', false],
    [400, { code: 'context_length_exceeded' }, 'context_length_exceeded', false],
    [401, {}, 'provider_error', false],
    [418, {}, 'provider_error', false],
    [undefined, {}, 'provider_error', true],
  ] as const)('maps status %s %o to %s (retryable: %s)', (status, extra, code, retryable) => {
    expect(classify(status, extra)).toMatchObject({ code, retryable, provider: 'p' })
  })

  it('recognises a context overflow by its wording, in a response or inside a stream', () => {
    const overflow = { detail: 'prompt is too long: 210000 tokens', provider: 'p' }
    expect(classifyHttpFailure({ status: 413, ...overflow }).code).toBe('context_length_exceeded')
    expect(classifyHttpFailure({ status: undefined, ...overflow })).toMatchObject({
      code: 'context_length_exceeded',
      retryable: false,
    })
  })

  it('keeps the Retry-After of a rate limit or an overloaded provider', () => {
    const headers = new Headers({ 'retry-after': '3' })
    const failure = { headers, detail: 'busy', provider: 'p' }
    expect(classifyHttpFailure({ status: 429, ...failure }).retryAfterMs).toBe(3_000)
    expect(classifyHttpFailure({ status: 503, ...failure }).retryAfterMs).toBe(3_000)
    expect(classifyHttpFailure({ status: 500, ...failure }).retryAfterMs).toBeUndefined()
  })
})

describe('SDK failures, alike through both official SDKs', () => {
  let fake: FakeUpstream
  beforeAll(async () => {
    fake = await startFakeUpstream()
  })
  afterAll(async () => {
    await fake.close()
  })

  const both = (timeoutMs?: number): ChatProvider[] => [
    createOpenAIProvider({ apiKey: 'sk-test', baseUrl: fake.openaiBaseUrl, timeoutMs }),
    createAnthropicProvider({ apiKey: 'sk-ant-test', baseUrl: fake.anthropicBaseUrl, timeoutMs }),
  ]
  /** Calls `provider` with this test's own message, after queueing `scenario` for it. */
  const failWith = (provider: ChatProvider, scenario: Scenario) => {
    const content = `${expect.getState().currentTestName} via ${provider.id}`
    fake.enqueue(scenario, { lastUserMessage: content })
    return provider.complete(
      { model: 'm', messages: [{ role: 'user', content }], maxOutputTokens: 50 },
      new AbortController().signal,
    )
  }

  it.each([
    [401, 'provider_error', false],
    [404, 'provider_error', false],
    [408, 'timeout', true],
    [422, 'invalid_request', false],
    [500, 'provider_error', true],
  ] as const)('maps an HTTP %s to %s', async (status, code, retryable) => {
    for (const provider of both()) {
      await expect(failWith(provider, { kind: 'status', status })).rejects.toMatchObject({
        code,
        retryable,
        status,
        provider: provider.id,
      })
    }
  })

  it('keeps the wait an overloaded provider asks for', async () => {
    for (const provider of both()) {
      await expect(
        failWith(provider, { kind: 'status', status: 529, retryAfterSeconds: 4 }),
      ).rejects.toMatchObject({ code: 'provider_unavailable', retryAfterMs: 4_000 })
    }
  })

  it("turns the SDK's own request timeout into a retryable timeout", async () => {
    for (const provider of both(100)) {
      await expect(failWith(provider, { kind: 'hang' })).rejects.toMatchObject({
        code: 'timeout',
        retryable: true,
        provider: provider.id,
      })
    }
  })
})
