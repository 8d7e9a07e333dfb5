import { abortedError, LlmError } from '../errors.ts'
import type { Clock, Sleep } from '../time.ts'
import type { ChatEvent, Usage } from '../types.ts'
import { type AttemptSpan, startAttemptSpan } from './attempt-span.ts'
import { type CallReport, type CallReportBuilder, estimateUsage } from './call-report.ts'
import type { ReadyCandidate } from './candidate-plan.ts'
import type { CircuitBreaker } from './circuit-breaker.ts'
import { relayReply } from './relay-reply.ts'
import { backoffDelay, type RetryPolicy } from './retry-policy.ts'
import { type CallMode, type StartedAttempt, startAttempt } from './start-attempt.ts'

/** What the router holds for every call. */
export interface RouterRuntime {
  readonly policy: RetryPolicy
  readonly clock: Clock
  readonly random: () => number
  readonly sleep: Sleep
  readonly circuit: CircuitBreaker
}

/** What one call's steps share. */
export interface CallContext extends RouterRuntime {
  readonly mode: CallMode
  readonly signal: AbortSignal
  readonly emit: (event: ChatEvent) => void
  /** Every attempt, retry and backoff before the first token fits before this. */
  readonly deadlineAt: number
  readonly report: CallReportBuilder
  /** The caller's request id, for the attempts' trace spans. */
  readonly requestId: string | undefined
}

/** The model answered (the call is over), the call must end without a reply, or the next model is up. */
export type ModelOutcome =
  | { kind: 'answered'; report: CallReport }
  | { kind: 'stopped'; error: LlmError; usage?: Usage }
  | { kind: 'fall_back' }

/** Tries one model, retrying with backoff, until it answers, the call must stop, or it is time to fall back. */
export async function tryModel(ctx: CallContext, candidate: ReadyCandidate): Promise<ModelOutcome> {
  const { spec } = candidate
  for (let tryNumber = 1; tryNumber <= ctx.policy.maxAttempts; tryNumber++) {
    if (ctx.signal.aborted) return { kind: 'stopped', error: abortedError() }
    const ticket = ctx.circuit.acquire(spec.provider)
    if (!ticket) {
      const error = new LlmError('provider_unavailable', {
        provider: spec.provider,
        detail: 'circuit open',
      })
      ctx.report.skipped(spec, 'circuit_open', error)
      return { kind: 'fall_back' }
    }
    if (ctx.clock() >= ctx.deadlineAt) {
      ticket.release()
      const detail = 'call deadline reached before a first token'
      return { kind: 'stopped', error: new LlmError('timeout', { detail }) }
    }
    const at = ctx.clock()
    const timeoutMs = Math.max(0, Math.min(ctx.policy.ttftTimeoutMs, ctx.deadlineAt - ctx.clock()))
    const span = startAttemptSpan(spec, { tryNumber, requestId: ctx.requestId })
    const start = await startAttempt(candidate.provider, candidate.request, {
      mode: ctx.mode,
      signal: ctx.signal,
      timeoutMs,
    })
    if (start.kind === 'started') {
      // First token: from here on nothing is retried or switched.
      ticket.success()
      return { kind: 'answered', report: await deliverReply(ctx, candidate, start, { at, span }) }
    }
    if (start.kind === 'aborted') {
      ticket.release()
      ctx.report.attempt(spec, 'aborted', at)
      span.failed(abortedError(spec.provider))
      const usage = estimateUsage(spec, candidate.promptTokens, '')
      return { kind: 'stopped', error: abortedError(spec.provider), usage }
    }
    span.failed(start.error)
    ticket.failure(start.error)
    const entry = ctx.report.failedAttempt(spec, at, start.error)
    const delay = retryDelay(ctx, start.error, tryNumber)
    if (delay === null) return { kind: 'fall_back' }
    entry.backoffMs = delay
    await ctx.sleep(delay, ctx.signal)
  }
  return { kind: 'fall_back' }
}

async function deliverReply(
  ctx: CallContext,
  candidate: ReadyCandidate,
  started: StartedAttempt,
  { at, span }: { at: number; span: AttemptSpan },
): Promise<CallReport> {
  const { spec } = candidate
  const answer = ctx.report.firstToken(spec, at)
  const reply = await relayReply(started, {
    provider: spec.provider,
    emit: ctx.emit,
    signal: ctx.signal,
    idleTimeoutMs: ctx.policy.streamIdleTimeoutMs,
  })
  if (reply.error) ctx.circuit.streamFailed(spec.provider, reply.error)
  const report = ctx.report.replied(answer, reply, candidate.promptTokens)
  span.answered(report)
  return report
}

/** The wait before trying the same model again, or null to fall back now. */
function retryDelay(ctx: CallContext, error: LlmError, tryNumber: number): number | null {
  if (!error.retryable || tryNumber === ctx.policy.maxAttempts) return null
  const delay = backoffDelay(tryNumber, error.retryAfterMs, ctx.policy, ctx.random)
  if (delay === null || ctx.clock() + delay >= ctx.deadlineAt) return null
  return delay
}
