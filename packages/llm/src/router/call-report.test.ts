import { describe, expect, it } from 'vitest'
import { catalog } from '../catalog/catalog.ts'
import type { ModelSpec } from '../catalog/model-spec.ts'
import { abortedError, LlmError } from '../errors.ts'
import { costMicroUsd } from '../pricing.ts'
import { CallReportBuilder, unexpectedFailureReport } from './call-report.ts'

const [first, second] = catalog as [ModelSpec, ModelSpec]
const down = () => new LlmError('provider_unavailable', { provider: 'p', detail: 'down' })

function builder() {
  let now = 1_000
  const report = new CallReportBuilder('auto', { name: 'chat.system', version: '2' }, () => now)
  return {
    report,
    advance: (ms: number) => {
      now += ms
    },
    now: () => now,
  }
}

describe('CallReportBuilder', () => {
  it('reports the fallback that answered, with its time to first token, latency and price', () => {
    const { report, advance, now } = builder()
    report.routed(first, ['short simple turn'])
    advance(10)
    const failedAt = now()
    advance(40)
    report.failedAttempt(
      first,
      failedAt,
      new LlmError('provider_error', { status: 500 }),
    ).backoffMs = 5
    advance(5)
    const at = now()
    advance(100)
    const answer = report.firstToken(second, at)
    advance(400)
    const usage = {
      inputTokens: 10,
      outputTokens: 20,
      cachedInputTokens: 0,
      reasoningTokens: 0,
      estimated: false,
    }

    const done = report.replied(
      answer,
      { text: 'Hi.', usage, finishReason: 'stop', error: null },
      10,
    )

    expect(done).toMatchObject({
      status: 'ok',
      requestedModel: 'auto',
      model: second.id,
      provider: second.provider,
      fallbackFrom: first.id,
      fallbackReason: 'provider_error',
      autoReasons: ['short simple turn'],
      attemptCount: 2,
      ttftMs: 155,
      latencyMs: 555,
      usage,
      costMicroUsd: costMicroUsd(usage, second.prices),
      finishReason: 'stop',
      text: 'Hi.',
      prompt: { name: 'chat.system', version: '2' },
    })
    expect(done.attempts).toEqual([
      {
        provider: first.provider,
        model: first.id,
        upstreamModel: first.upstreamModel,
        outcome: 'error',
        startedAtMs: 10,
        durationMs: 40,
        errorCode: 'provider_error',
        status: 500,
        backoffMs: 5,
      },
      {
        provider: second.provider,
        model: second.id,
        upstreamModel: second.upstreamModel,
        outcome: 'ok',
        startedAtMs: 55,
        durationMs: 500,
      },
    ])
  })

  it('keeps the partial reply of an aborted stream, with estimated usage', () => {
    const { report, now } = builder()
    report.routed(first, null)
    const answer = report.firstToken(first, now())
    const reply = { text: 'alpha bravo', usage: null, finishReason: null, error: abortedError('p') }

    const done = report.replied(answer, reply, 42)

    expect(done).toMatchObject({ status: 'aborted', text: 'alpha bravo', fallbackFrom: null })
    expect(done.attempts[0]).toMatchObject({ outcome: 'aborted', errorCode: 'aborted' })
    expect(done.usage).toMatchObject({ inputTokens: 42, estimated: true })
    expect(done.usage.outputTokens).toBeGreaterThan(0)
    expect(done.costMicroUsd).toBeGreaterThan(0)
  })

  it('counts only the requests actually sent', () => {
    const { report, now } = builder()
    report.routed(first, null)
    report.skipped(first, 'circuit_open', down())
    report.skipped(second, 'context_too_long', new LlmError('context_length_exceeded'))
    report.failedAttempt(second, now(), down())
    expect(report.failed(down(), second).attemptCount).toBe(1)
  })

  it('explains a failure by the last real error, not by a provider it could not try', () => {
    const { report, now } = builder()
    report.routed(first, null)
    report.skipped(first, 'unavailable', down())
    const rejected = new LlmError('invalid_request', { status: 400 })
    report.failedAttempt(second, now(), rejected)
    report.skipped(first, 'circuit_open', down())
    expect(report.lastError).toBe(rejected)
    const tooLong = new LlmError('context_length_exceeded')
    report.skipped(second, 'context_too_long', tooLong)
    expect(report.lastError).toBe(tooLong)
  })

  it('reports a call that never reached a model without naming one', () => {
    const { report } = builder()
    const unknown = new LlmError('unknown_model', { retryable: false })
    expect(report.failed(unknown)).toMatchObject({
      status: 'error',
      model: null,
      provider: null,
      fallbackFrom: null,
      fallbackReason: null,
      attemptCount: 0,
      error: unknown,
    })
    expect(report.failed(abortedError()).status).toBe('aborted')
  })

  it('prices what an aborted attempt was charged for', () => {
    const { report } = builder()
    report.routed(first, null)
    const usage = {
      inputTokens: 100,
      outputTokens: 0,
      cachedInputTokens: 0,
      reasoningTokens: 0,
      estimated: true,
    }
    expect(report.failed(abortedError(), first, usage)).toMatchObject({
      model: first.id,
      usage,
      costMicroUsd: costMicroUsd(usage, first.prices),
    })
  })
})

describe('unexpectedFailureReport', () => {
  it('turns a bug in the router into an error report', () => {
    const report = unexpectedFailureReport(new TypeError('oops'), {
      model: 'auto',
      messages: [],
    })
    expect(report).toMatchObject({
      status: 'error',
      requestedModel: 'auto',
      error: { code: 'provider_error', retryable: false, detail: 'TypeError: oops' },
      prompt: null,
    })
  })
})
