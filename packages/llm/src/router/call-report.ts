import type { ModelSpec } from '../catalog/model-spec.ts'
import { LlmError, type LlmErrorCode } from '../errors.ts'
import { costMicroUsd } from '../pricing.ts'
import type { Clock } from '../time.ts'
import { countTokens } from '../tokens/count-tokens.ts'
import { emptyUsage, type FinishReason, type Usage } from '../types.ts'
import type { RouterRequest } from './router-request.ts'

export type AttemptOutcome =
  | 'ok'
  | 'error'
  | 'aborted'
  | 'circuit_open'
  | 'context_too_long'
  | 'unavailable'

export interface AttemptReport {
  provider: string
  /** Public model id. */
  model: string
  upstreamModel: string
  outcome: AttemptOutcome
  /** Set when the attempt failed. */
  errorCode?: LlmErrorCode
  status?: number
  /** Milliseconds from the call's start. */
  startedAtMs: number
  durationMs: number
  /** The wait before the next try of the same model, when there was one. */
  backoffMs?: number
}

export interface CallReport {
  status: 'ok' | 'error' | 'aborted'
  /** What the caller asked for (`auto` included). */
  requestedModel: string
  /** Public id of the model that answered (or was tried last); null if none could be resolved. */
  model: string | null
  provider: string | null
  upstreamModel: string | null
  /** Public id of the model first chosen, when another one answered. */
  fallbackFrom: string | null
  /** Why the first model did not answer, when another one did: its last attempt's error. */
  fallbackReason: LlmErrorCode | Exclude<AttemptOutcome, 'ok' | 'error'> | null
  /** Why `auto` chose the model, when it did. */
  autoReasons: string[] | null
  attempts: AttemptReport[]
  /** Upstream requests actually sent (skipped models excluded); 0 when none could be. */
  attemptCount: number
  ttftMs: number | null
  latencyMs: number
  usage: Usage
  costMicroUsd: number
  finishReason: FinishReason | null
  error: LlmError | null
  /** Everything that arrived, kept even when the stream failed or was aborted. */
  text: string
  prompt: { name: string; version: string } | null
}

/** How a reply that began came out: what arrived, and how it ended. */
export interface ReplyOutcome {
  text: string
  usage: Usage | null
  finishReason: FinishReason | null
  error: LlmError | null
}

/** The attempt whose first token arrived, which answers the call. */
export interface AnsweringAttempt {
  spec: ModelSpec
  entry: AttemptReport
  at: number
  ttftMs: number
}

type SkippedOutcome = 'unavailable' | 'context_too_long' | 'circuit_open'

/** Collects a call's attempts as they happen and builds its report when it ends. */
export class CallReportBuilder {
  readonly startedAt: number
  private readonly attempts: AttemptReport[] = []
  private readonly requestedModel: string
  private readonly prompt: CallReport['prompt']
  private readonly clock: Clock
  private chosen: ModelSpec | null = null
  private autoReasons: string[] | null = null
  private explanation: LlmError | null = null

  constructor(requestedModel: string, prompt: CallReport['prompt'], clock: Clock) {
    this.requestedModel = requestedModel
    this.prompt = prompt
    this.clock = clock
    this.startedAt = clock()
  }

  /** The error that explains the call's failure if no model answers. */
  get lastError(): LlmError | null {
    return this.explanation
  }

  routed(chosen: ModelSpec, autoReasons: string[] | null): void {
    this.chosen = chosen
    this.autoReasons = autoReasons
  }

  attempt(spec: ModelSpec, outcome: AttemptOutcome, at: number): AttemptReport {
    const entry: AttemptReport = {
      provider: spec.provider,
      model: spec.id,
      upstreamModel: spec.upstreamModel,
      outcome,
      startedAtMs: Math.round(at - this.startedAt),
      durationMs: Math.round(this.clock() - at),
    }
    this.attempts.push(entry)
    return entry
  }

  failedAttempt(spec: ModelSpec, at: number, error: LlmError): AttemptReport {
    const entry = this.attempt(spec, 'error', at)
    entry.errorCode = error.code
    if (error.status !== undefined) entry.status = error.status
    this.explanation = error
    return entry
  }

  /** A model not tried; a missing provider or open circuit is the call's error only if nothing else is. */
  skipped(spec: ModelSpec, outcome: SkippedOutcome, error: LlmError): void {
    this.attempt(spec, outcome, this.clock())
    this.explanation = outcome === 'context_too_long' ? error : (this.explanation ?? error)
  }

  firstToken(spec: ModelSpec, at: number): AnsweringAttempt {
    const ttftMs = Math.round(this.clock() - this.startedAt)
    return { spec, entry: this.attempt(spec, 'ok', at), at, ttftMs }
  }

  /** The report of a call whose reply began, once the reply is over. */
  replied(answer: AnsweringAttempt, reply: ReplyOutcome, promptTokens: number): CallReport {
    const { spec, entry } = answer
    entry.durationMs = Math.round(this.clock() - answer.at)
    const usage = reply.usage ?? estimateUsage(spec, promptTokens, reply.text)
    const status = statusOf(reply.error)
    if (reply.error) {
      entry.outcome = status
      entry.errorCode = reply.error.code
    }
    return this.build({
      status,
      ...this.identity(spec),
      ttftMs: answer.ttftMs,
      usage,
      costMicroUsd: costMicroUsd(usage, spec.prices),
      finishReason: reply.finishReason,
      error: reply.error,
      text: reply.text,
    })
  }

  /** The report of a call that ended before any reply; `spec` is the model tried last, if any. */
  failed(error: LlmError, spec?: ModelSpec, usage?: Usage): CallReport {
    return this.build({
      status: statusOf(error),
      error,
      ...(spec ? this.identity(spec) : {}),
      ...(spec && usage ? { usage, costMicroUsd: costMicroUsd(usage, spec.prices) } : {}),
    })
  }

  private identity(spec: ModelSpec) {
    const fellBack = this.chosen !== null && spec.id !== this.chosen.id
    return {
      model: spec.id,
      provider: spec.provider,
      upstreamModel: spec.upstreamModel,
      fallbackFrom: fellBack && this.chosen ? this.chosen.id : null,
      fallbackReason: fellBack && this.chosen ? this.reasonLeft(this.chosen.id) : null,
      autoReasons: this.autoReasons,
    }
  }

  /** Why the model `id` was left: its last attempt's error code, or how it was skipped. */
  private reasonLeft(id: string): CallReport['fallbackReason'] {
    const last = this.attempts.findLast((attempt) => attempt.model === id)
    if (!last || last.outcome === 'ok') return null
    if (last.outcome === 'error') return last.errorCode ?? 'provider_error'
    return last.outcome
  }

  private build(fields: Partial<CallReport> & Pick<CallReport, 'status'>): CallReport {
    return {
      ...blankReport(this.requestedModel, this.prompt),
      attempts: this.attempts,
      attemptCount: this.attempts.filter((a) => isSent(a.outcome)).length,
      latencyMs: Math.round(this.clock() - this.startedAt),
      ...fields,
    }
  }
}

/** Usage counted locally, for a reply the provider did not report usage for. */
export function estimateUsage(spec: ModelSpec, promptTokens: number, text: string): Usage {
  return {
    inputTokens: promptTokens,
    outputTokens: text ? countTokens(text, spec) : 0,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    estimated: true,
  }
}

/** A bug in the router must still produce a report, never a rejected promise. */
export function unexpectedFailureReport(error: unknown, request: RouterRequest): CallReport {
  return {
    status: 'error',
    ...blankReport(request.model ?? '', request.prompt ?? null),
    attemptCount: 1,
    error: new LlmError('provider_error', { retryable: false, detail: String(error) }),
  }
}

function blankReport(
  requestedModel: string,
  prompt: CallReport['prompt'],
): Omit<CallReport, 'status'> {
  return {
    requestedModel,
    model: null,
    provider: null,
    upstreamModel: null,
    fallbackFrom: null,
    fallbackReason: null,
    autoReasons: null,
    attempts: [],
    attemptCount: 0,
    ttftMs: null,
    latencyMs: 0,
    usage: emptyUsage(),
    costMicroUsd: 0,
    finishReason: null,
    error: null,
    text: '',
    prompt,
  }
}

function statusOf(error: LlmError | null): CallReport['status'] {
  if (!error) return 'ok'
  return error.code === 'aborted' ? 'aborted' : 'error'
}

function isSent(outcome: AttemptOutcome): boolean {
  return outcome === 'ok' || outcome === 'error' || outcome === 'aborted'
}
