import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { availableModels } from '../catalog/availability.ts'
import { catalog, defaultFallbacks } from '../catalog/catalog.ts'
import { defineModelSpec, type ModelSpec } from '../catalog/model-spec.ts'
import { costMicroUsd } from '../pricing.ts'
import { createProviders } from '../providers/create-providers.ts'
import { type FakeUpstream, startFakeUpstream } from '../testing/fake-upstream.ts'
import type { ChatEvent } from '../types.ts'
import {
  type CallReport,
  createRouter,
  type ModelAdmission,
  type RouterOptions,
  type RouterRequest,
} from './router.ts'

let fake: FakeUpstream

beforeAll(async () => {
  fake = await startFakeUpstream()
})
afterAll(async () => {
  await fake.close()
})

/** This test's own message: the scenarios and requests keyed by it belong to this test alone. */
const mine = (suffix = '') => `${expect.getState().currentTestName}${suffix}`
const sent = () => fake.requestsFor({ lastUserMessageIncludes: mine() })

const OPENAI = 'gpt-6.1-terra'
const ANTHROPIC = 'claude-sonnet-5-5'

/** A router over the real SDKs pointed at the fake upstream, with virtual time for backoff. */
function harness(overrides: Partial<RouterOptions> = {}) {
  const setup = createProviders({
    openai: { apiKey: 'sk-test', baseUrl: fake.openaiBaseUrl },
    anthropic: { apiKey: 'sk-ant-test', baseUrl: fake.anthropicBaseUrl },
  })
  let now = 0
  const sleeps: number[] = []
  const router = createRouter({
    providers: setup.providers,
    models: availableModels(catalog, setup.configured),
    fallbacks: defaultFallbacks,
    clock: () => now,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms)
      now += ms
    },
    ...overrides,
    retry: { ttftTimeoutMs: 5_000, ...overrides.retry },
  })
  return {
    router,
    sleeps,
    advance: (ms: number) => {
      now += ms
    },
  }
}

const ask = (content: string, model = OPENAI): RouterRequest => ({
  model,
  system: 'Be brief.',
  messages: [{ role: 'user', content }],
})

async function run(
  router: ReturnType<typeof harness>['router'],
  request: RouterRequest,
  signal = new AbortController().signal,
): Promise<{ events: ChatEvent[]; report: CallReport }> {
  const call = router.stream(request, signal)
  const events: ChatEvent[] = []
  for await (const event of call.events) events.push(event)
  return { events, report: await call.result }
}

const outcomes = (report: CallReport) => report.attempts.map((a) => `${a.model}:${a.outcome}`)
const textOf = (events: ChatEvent[]) =>
  events.map((event) => (event.type === 'text' ? event.text : '')).join('')

describe('router retries', () => {
  it('retries a 429 after its Retry-After and succeeds', async () => {
    const { router, sleeps } = harness()
    fake.enqueue(
      { kind: 'status', status: 429, retryAfterSeconds: 1 },
      { model: OPENAI, lastUserMessageIncludes: mine() },
    )

    const { events, report } = await run(router, ask(mine()))

    expect(report.status).toBe('ok')
    expect(textOf(events)).toBe(`You said: ${mine()}`)
    expect(report.text).toBe(`You said: ${mine()}`)
    expect(outcomes(report)).toEqual([`${OPENAI}:error`, `${OPENAI}:ok`])
    expect(report.attempts[0]?.errorCode).toBe('rate_limited')
    expect(report.attempts[0]?.backoffMs).toBe(1_000)
    expect(sleeps).toEqual([1_000])
    expect(report.attemptCount).toBe(2)
    expect(report).toMatchObject({ provider: 'openai', model: OPENAI, fallbackFrom: null })
  })

  it('falls back to the next provider when retries are exhausted', async () => {
    const { router, sleeps } = harness()
    fake.enqueue(
      { kind: 'status', status: 500, times: 3 },
      { model: OPENAI, lastUserMessageIncludes: mine() },
    )

    const { report } = await run(router, ask(mine()))

    expect(report.status).toBe('ok')
    expect(report).toMatchObject({
      provider: 'anthropic',
      model: ANTHROPIC,
      fallbackFrom: OPENAI,
      fallbackReason: 'provider_error',
    })
    expect(outcomes(report)).toEqual([
      `${OPENAI}:error`,
      `${OPENAI}:error`,
      `${OPENAI}:error`,
      `${ANTHROPIC}:ok`,
    ])
    expect(report.attemptCount).toBe(4)
    // full jitter with random() = 0.5: half of 250 then half of 500
    expect(sleeps).toEqual([125, 250])
    expect(sent().map((r) => r.api)).toEqual(['openai', 'openai', 'openai', 'anthropic'])
  })

  it('moves on at once when Retry-After asks for longer than the cap', async () => {
    const { router, sleeps } = harness({ retry: { retryAfterCapMs: 10_000 } })
    fake.enqueue(
      { kind: 'status', status: 429, retryAfterSeconds: 60 },
      { model: OPENAI, lastUserMessageIncludes: mine() },
    )

    const { report } = await run(router, ask(mine()))

    expect(sleeps).toEqual([])
    expect(outcomes(report)).toEqual([`${OPENAI}:error`, `${ANTHROPIC}:ok`])
  })

  it('does not retry a request the provider rejects, but falls back', async () => {
    const { router } = harness()
    fake.enqueue(
      { kind: 'status', status: 400 },
      { model: OPENAI, lastUserMessageIncludes: mine() },
    )

    const { report } = await run(router, ask(mine()))

    expect(report.attempts[0]?.errorCode).toBe('invalid_request')
    expect(outcomes(report)).toEqual([`${OPENAI}:error`, `${ANTHROPIC}:ok`])
  })

  it('retries an attempt that produces no first token in time', async () => {
    const { router } = harness({ retry: { ttftTimeoutMs: 250 } })
    fake.enqueue({ kind: 'hang' }, { model: OPENAI, lastUserMessageIncludes: mine() })

    const { report } = await run(router, ask(mine()))

    expect(report.status).toBe('ok')
    expect(report.attempts[0]?.errorCode).toBe('timeout')
    expect(outcomes(report)).toEqual([`${OPENAI}:error`, `${OPENAI}:ok`])
    await expect.poll(() => sent()[0]?.disconnected).toBe(true)
  })
})

describe('router admission of each model', () => {
  it('asks before the chosen model and each fallback, with its prompt and output allowance', async () => {
    const { router } = harness()
    fake.enqueue(
      { kind: 'status', status: 400, times: 1 },
      { model: OPENAI, lastUserMessageIncludes: mine() },
    )
    const asked: ModelAdmission[] = []
    const { report } = await run(router, {
      ...ask(mine()),
      admitModel: async (next) => {
        asked.push(next)
        return null
      },
    })
    expect(report).toMatchObject({ status: 'ok', model: ANTHROPIC, fallbackFrom: OPENAI })
    expect(asked.map((next) => [next.spec.id, next.maxOutputTokens])).toEqual([
      [OPENAI, 16_000],
      [ANTHROPIC, 16_000],
    ])
    expect(asked.every((next) => next.promptTokens > 0)).toBe(true)
  })

  it('ends the call with a refused error, never calling the model it was refused', async () => {
    const { router } = harness()
    fake.enqueue(
      { kind: 'status', status: 400, times: 1 },
      { model: OPENAI, lastUserMessageIncludes: mine() },
    )
    const { events, report } = await run(router, {
      ...ask(mine()),
      admitModel: async (next) =>
        next.spec.id === ANTHROPIC ? { message: 'Not within the budget.' } : null,
    })
    expect(report).toMatchObject({ status: 'error', model: OPENAI, costMicroUsd: 0 })
    expect(report.error).toMatchObject({ code: 'refused', message: 'Not within the budget.' })
    expect(events.at(-1)).toMatchObject({ type: 'error' })
    expect(sent().map((r) => r.api)).toEqual(['openai'])
  })
})

describe('router deadline', () => {
  it('keeps every attempt and backoff inside the deadline', async () => {
    const { router, sleeps } = harness({
      fallbacks: {},
      retry: { deadlineMs: 1_000, baseDelayMs: 300, maxDelayMs: 300, maxAttempts: 10 },
      random: () => 0.99,
    })
    fake.enqueue(
      { kind: 'status', status: 500, times: 'always' },
      { model: OPENAI, lastUserMessageIncludes: mine() },
    )

    const { report } = await run(router, ask(mine()))

    expect(report.status).toBe('error')
    expect(report.error?.code).toBe('provider_error')
    expect(sleeps).toEqual([297, 297, 297])
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThan(1_000)
    expect(report.attempts.every((a) => a.startedAtMs < 1_000)).toBe(true)
    expect(report.attemptCount).toBe(4)
  })

  it('gives up with a timeout when nothing answers before the deadline', async () => {
    const { router } = harness({
      clock: () => performance.now(),
      sleep: undefined,
      retry: { ttftTimeoutMs: 60_000, deadlineMs: 150 },
    })
    fake.enqueue({ kind: 'hang', times: 'always' }, { lastUserMessageIncludes: mine() })

    const { events, report } = await run(router, ask(mine()))

    expect(report.status).toBe('error')
    expect(report.error?.code).toBe('timeout')
    expect(events.at(-1)).toMatchObject({ type: 'error' })
    expect(report.attempts[0]?.errorCode).toBe('timeout')
  })
})

describe('router circuit', () => {
  it('skips a provider whose circuit is open without waiting for it, and probes after the cool-down', async () => {
    const { router, sleeps, advance } = harness({
      retry: { maxAttempts: 1 },
      circuit: { failureThreshold: 2, cooldownMs: 30_000 },
    })
    fake.enqueue(
      { kind: 'status', status: 503, times: 2 },
      { model: OPENAI, lastUserMessageIncludes: mine() },
    )

    await run(router, ask(mine(' one')))
    await run(router, ask(mine(' two')))
    expect(router.circuitState('openai')).toBe('open')
    const openaiCalls = sent().filter((r) => r.api === 'openai').length

    const { report } = await run(router, ask(mine(' three')))

    expect(sent().filter((r) => r.api === 'openai')).toHaveLength(openaiCalls)
    expect(outcomes(report)).toEqual([`${OPENAI}:circuit_open`, `${ANTHROPIC}:ok`])
    expect(report.attemptCount).toBe(1)
    expect(sleeps).toEqual([])

    advance(30_000)
    expect(router.circuitState('openai')).toBe('half_open')
    const { report: probe } = await run(router, ask(mine(' four')))
    expect(outcomes(probe)).toEqual([`${OPENAI}:ok`])
    expect(router.circuitState('openai')).toBe('closed')
  })

  it('reopens the circuit when the probe fails', async () => {
    const { router, advance } = harness({
      retry: { maxAttempts: 1 },
      circuit: { failureThreshold: 1, cooldownMs: 1_000 },
    })
    fake.enqueue(
      { kind: 'status', status: 502, times: 2 },
      { model: OPENAI, lastUserMessageIncludes: mine() },
    )
    await run(router, ask(mine(' one')))
    advance(1_000)
    const { report } = await run(router, ask(mine(' probe')))
    expect(report.attempts[0]).toMatchObject({ model: OPENAI, outcome: 'error' })
    expect(router.circuitState('openai')).toBe('open')
  })

  it('does not count rate limits as the provider being down', async () => {
    const { router } = harness({ retry: { maxAttempts: 1 }, circuit: { failureThreshold: 1 } })
    fake.enqueue(
      { kind: 'status', status: 429 },
      { model: OPENAI, lastUserMessageIncludes: mine() },
    )
    await run(router, ask(mine(' one')))
    expect(router.circuitState('openai')).toBe('closed')
  })
})

describe('router context window', () => {
  const tiny: ModelSpec = defineModelSpec({
    id: 'tiny',
    provider: 'openai',
    upstreamModel: 'tiny-upstream',
    displayName: 'Tiny',
    contextWindow: 1_000,
    maxOutputTokens: 200,
    inputUsdPerMTok: '1',
    outputUsdPerMTok: '1',
    cachedInputUsdPerMTok: '1',
    pricesEffectiveOn: '2026-11-22',
  })

  it('sends a prompt too long for the first model to the larger-context fallback', async () => {
    const big = catalog.find((spec) => spec.id === ANTHROPIC) as ModelSpec
    const { router } = harness({ models: [tiny, big], fallbacks: { tiny: [ANTHROPIC] } })
    const longPrompt = Array.from({ length: 600 }, (_, i) => `fact ${i}`).join(', ')

    const { report } = await run(router, ask(`${mine()} ${longPrompt}`, 'tiny'))

    expect(report.status).toBe('ok')
    expect(outcomes(report)).toEqual(['tiny:context_too_long', `${ANTHROPIC}:ok`])
    expect(report).toMatchObject({
      model: ANTHROPIC,
      fallbackFrom: 'tiny',
      fallbackReason: 'context_too_long',
    })
    expect(sent().map((r) => r.api)).toEqual(['anthropic'])
  })

  it('reports context_length_exceeded when no model in the chain is large enough', async () => {
    const { router } = harness({ models: [tiny], fallbacks: {} })
    const { report } = await run(router, ask('x '.repeat(3_000), 'tiny'))
    expect(report.error?.code).toBe('context_length_exceeded')
    expect(report.attemptCount).toBe(0)
    expect(sent()).toHaveLength(0)
  })

  it('falls back without retrying when the provider says the prompt is too long', async () => {
    const { router } = harness()
    fake.enqueue({ kind: 'context-too-long' }, { model: OPENAI, lastUserMessageIncludes: mine() })
    const { report } = await run(router, ask(mine()))
    expect(report.attempts[0]?.errorCode).toBe('context_length_exceeded')
    expect(outcomes(report)).toEqual([`${OPENAI}:error`, `${ANTHROPIC}:ok`])
  })
})

describe('router after the first token', () => {
  it('keeps the partial reply and ends with an error when the stream breaks, without retrying', async () => {
    const { router } = harness()
    fake.enqueue(
      { kind: 'cut', tokens: 6, afterTokens: 3 },
      { model: OPENAI, lastUserMessageIncludes: mine() },
    )

    const { events, report } = await run(router, ask(mine()))

    expect(events.map((e) => e.type)).toEqual(['text', 'text', 'text', 'error'])
    expect(textOf(events)).toBe('alpha bravo charlie ')
    expect(report.status).toBe('error')
    expect(report.text).toBe('alpha bravo charlie ')
    expect(report.error?.code).toBe('provider_unavailable')
    expect(sent()).toHaveLength(1)
    expect(report.usage.estimated).toBe(true)
    expect(report.usage.outputTokens).toBeGreaterThan(0)
    expect(report.costMicroUsd).toBeGreaterThan(0)
  })

  it('keeps the partial reply when the provider sends an error event mid-stream', async () => {
    const { router } = harness()
    fake.enqueue(
      { kind: 'stream-error', tokens: 5, afterTokens: 2 },
      { model: ANTHROPIC, lastUserMessageIncludes: mine() },
    )
    const { events, report } = await run(router, ask(mine(), ANTHROPIC))
    expect(events.at(-1)?.type).toBe('error')
    expect(report.text).toBe('alpha bravo ')
    expect(sent()).toHaveLength(1)
  })

  it('ends a stream that goes silent after the first token with a timeout', async () => {
    const { router } = harness({ retry: { streamIdleTimeoutMs: 250 } })
    fake.enqueue(
      { kind: 'hang', tokens: 10, afterTokens: 2 },
      { model: OPENAI, lastUserMessageIncludes: mine() },
    )
    const { report } = await run(router, ask(mine()))
    expect(report.status).toBe('error')
    expect(report.error?.code).toBe('timeout')
    expect(report.text).toBe('alpha bravo ')
    expect(sent()).toHaveLength(1)
  })

  it('closes the upstream connection when the caller aborts mid-stream', async () => {
    const { router } = harness({ clock: () => performance.now() })
    fake.enqueue(
      { kind: 'text', tokens: 500, tokensPerSecond: 200 },
      { model: OPENAI, lastUserMessageIncludes: mine() },
    )
    const controller = new AbortController()
    const call = router.stream(ask(mine()), controller.signal)
    const events: ChatEvent[] = []
    for await (const event of call.events) {
      events.push(event)
      if (event.type === 'text') controller.abort()
    }
    const report = await call.result

    expect(report.status).toBe('aborted')
    expect(report.error?.code).toBe('aborted')
    expect(report.text.length).toBeGreaterThan(0)
    expect(report.text).toBe(textOf(events))
    expect(report.usage).toMatchObject({ estimated: true })
    expect(report.usage.outputTokens).toBeGreaterThan(0)
    expect(report.ttftMs).not.toBeNull()
    expect(report.latencyMs).toBeGreaterThanOrEqual(report.ttftMs ?? 0)
    await expect.poll(() => sent()[0]?.disconnected).toBe(true)
  })

  it('cancels the call when the caller stops reading the events', async () => {
    const { router } = harness()
    fake.enqueue(
      { kind: 'text', tokens: 500, tokensPerSecond: 200 },
      { model: OPENAI, lastUserMessageIncludes: mine() },
    )
    const call = router.stream(ask(mine()), new AbortController().signal)
    for await (const event of call.events) if (event.type === 'text') break
    const report = await call.result
    expect(report.status).toBe('aborted')
    await expect.poll(() => sent()[0]?.disconnected).toBe(true)
  })
})

describe('router reports', () => {
  it('prices the reported usage and records the prompt template', async () => {
    const { router } = harness()
    fake.enqueue(
      {
        kind: 'text',
        text: 'Fine.',
        usage: { inputTokens: 1_000, cachedInputTokens: 200, outputTokens: 100 },
      },
      { model: OPENAI, lastUserMessageIncludes: mine() },
    )
    const { report } = await run(router, {
      ...ask(mine()),
      prompt: { name: 'chat.system', version: '1' },
    })
    // GPT-6.1 Terra: 800 x $1 + 200 x $0.05 + 100 x $5 per million = 800 + 10 + 500 µ$
    expect(report.costMicroUsd).toBe(1_310)
    expect(report.usage).toEqual({
      inputTokens: 1_000,
      cachedInputTokens: 200,
      outputTokens: 100,
      reasoningTokens: 0,
      estimated: false,
    })
    expect(report.prompt).toEqual({ name: 'chat.system', version: '1' })
    expect(report.finishReason).toBe('stop')
    expect(report.upstreamModel).toBe(OPENAI)
  })

  it('reports an unknown model without calling any provider', async () => {
    const { router } = harness()
    const { events, report } = await run(router, ask(mine(), 'gpt-0'))
    expect(report.error).toMatchObject({ code: 'unknown_model', retryable: false })
    expect(events).toEqual([{ type: 'error', error: report.error }])
    expect(report.attemptCount).toBe(0)
    expect(sent()).toHaveLength(0)
  })

  it('uses the default model when the request names none', async () => {
    const { router } = harness()
    const { report } = await run(router, { messages: [{ role: 'user', content: 'hi' }] })
    expect(report.model).toBe(OPENAI)
  })

  it('sends temperature only to models that accept it', async () => {
    const sampler = defineModelSpec({
      id: 'sampler',
      provider: 'openai',
      upstreamModel: 'sampler',
      displayName: 'Sampler',
      contextWindow: 8_000,
      maxOutputTokens: 1_000,
      inputUsdPerMTok: '1',
      outputUsdPerMTok: '1',
      cachedInputUsdPerMTok: '1',
      pricesEffectiveOn: '2026-11-22',
      capabilities: { temperature: true },
    })
    const terra = catalog.find((spec) => spec.id === OPENAI) as ModelSpec
    const { router } = harness({ models: [sampler, terra] })
    await run(router, { ...ask(mine(), 'sampler'), temperature: 0.2 })
    await run(router, { ...ask(mine(), OPENAI), temperature: 0.2 })
    const bodies = sent().map((r) => r.body as Record<string, unknown>)
    expect(bodies.map((b) => b.temperature)).toEqual([0.2, undefined])
  })
})

describe('auto routing', () => {
  it('sends a short simple turn to the small model', async () => {
    const { router } = harness()
    const { report } = await run(router, ask('What is the capital of France?', 'auto'))
    expect(report.requestedModel).toBe('auto')
    expect(report.model).toBe('gpt-6-luna')
    expect(report.autoReasons).toEqual(['short simple turn'])
  })

  it('sends code and reasoning to the strong model', async () => {
    const { router } = harness()
    const code = 'Why does this fail?\n```ts\nconst x: number = "a"\n```'
    const { report } = await run(router, ask(code, 'auto'))
    expect(report.model).toBe('gpt-6.1-sol')
    expect(report.autoReasons).toEqual(expect.arrayContaining(['code', 'reasoning']))
  })

  it('honours configured small and strong models', async () => {
    const { router } = harness({ auto: { small: 'claude-haiku-5-5', strong: 'claude-opus-5-5' } })
    const { report } = await run(router, ask(mine(), 'auto'))
    expect(report.model).toBe('claude-haiku-5-5')
  })
})

describe('router.complete', () => {
  it('makes a buffered call with the same retries and report', async () => {
    const { router } = harness()
    fake.enqueue(
      { kind: 'status', status: 503 },
      { model: OPENAI, lastUserMessageIncludes: mine() },
    )
    fake.enqueue(
      { kind: 'text', text: 'Lisbon trip planning' },
      { model: OPENAI, lastUserMessageIncludes: mine() },
    )

    const { text, report } = await router.complete(ask(mine()), new AbortController().signal)

    expect(text).toBe('Lisbon trip planning')
    expect(report.status).toBe('ok')
    expect(report.attemptCount).toBe(2)
    expect(sent().map((r) => r.stream)).toEqual([false, false])
    expect(report.costMicroUsd).toBe(
      costMicroUsd(
        report.usage,
        catalog[0]?.prices ?? {
          inputMicroUsdPerMTok: 0,
          outputMicroUsdPerMTok: 0,
          cachedInputMicroUsdPerMTok: 0,
        },
      ),
    )
  })
})
