import { defaultModel } from '../catalog/availability.ts'
import type { ModelSpec } from '../catalog/model-spec.ts'
import { abortedError, LlmError, type LlmErrorCode, streamEndedEarly } from '../errors.ts'
import { costMicroUsd } from '../pricing.ts'
import { type Clock, monotonicNow, sleep as realSleep, type Sleep } from '../time.ts'
import { defaultOutputReserve, estimatePromptTokens } from '../tokens/build-context.ts'
import { countTokens } from '../tokens/count-tokens.ts'
import {
  type ChatEvent,
  type ChatMessage,
  type ChatProvider,
  type ChatRequest,
  emptyUsage,
  type FinishReason,
  type Usage,
} from '../types.ts'
import { type AutoRoutingOptions, classifyTurn, pickAutoModel } from './auto-model.ts'
import {
  CircuitBreaker,
  type CircuitSettings,
  type CircuitState,
  defaultCircuitSettings,
} from './circuit-breaker.ts'
import { EventQueue } from './event-queue.ts'
import { backoffDelay, defaultRetryPolicy, type RetryPolicy } from './retry-policy.ts'

export interface RouterRequest {
  /** A public model id, `auto`, or empty for the default model. */
  model?: string
  system?: string
  messages: readonly ChatMessage[]
  /** Defaults to the model's cap, at most 16,000 (`defaultOutputReserve`). */
  maxOutputTokens?: number
  /** Ignored for models that do not accept sampling parameters. */
  temperature?: number
  /** The template that produced `system` (or the prompt), recorded in the report. */
  prompt?: { name: string; version: string }
}

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

/**
 * A running call. Iterate `events` for the reply as it streams; `result` resolves (never rejects)
 * with the report once the call is over, whether or not `events` was read to the end. Leaving
 * the iteration early cancels the call like aborting its signal.
 */
export interface RouterStream {
  events: AsyncIterable<ChatEvent>
  result: Promise<CallReport>
}

export interface CompletionResult {
  text: string
  report: CallReport
}

export interface RouterOptions {
  /** Providers by id (see `createProviders`). */
  providers: ReadonlyMap<string, ChatProvider> | readonly ChatProvider[]
  /** The available models (see `availableModels`); the router never routes elsewhere. */
  models: readonly ModelSpec[]
  /** Used when a request names no model; defaults to the `isDefault` spec, else the first. */
  defaultModel?: string
  /** Per public id, the models to try, in order, after it. Unavailable targets are ignored. */
  fallbacks?: Readonly<Record<string, readonly string[]>>
  auto?: AutoRoutingOptions
  retry?: Partial<RetryPolicy>
  circuit?: Partial<CircuitSettings>
  /** Milliseconds, monotonic. Injectable for deterministic tests. */
  clock?: Clock
  random?: () => number
  /** Used for backoff waits. */
  sleep?: Sleep
}

export interface Router {
  readonly models: readonly ModelSpec[]
  stream(request: RouterRequest, signal: AbortSignal): RouterStream
  /** One buffered completion (no streaming), with the same retries, fallbacks and report. */
  complete(request: RouterRequest, signal: AbortSignal): Promise<CompletionResult>
  circuitState(provider: string): CircuitState
}

type AttemptStart =
  | {
      kind: 'started'
      first: ChatEvent[]
      iterator: AsyncIterator<ChatEvent>
      controller: AbortController
      idle: { timedOut: boolean }
    }
  | { kind: 'failed'; error: LlmError }
  | { kind: 'aborted' }

type Mode = 'stream' | 'buffered'

const ATTEMPT_TIMEOUT = Symbol('attempt timeout')

export function createRouter(options: RouterOptions): Router {
  const providers =
    options.providers instanceof Map
      ? (options.providers as ReadonlyMap<string, ChatProvider>)
      : new Map((options.providers as readonly ChatProvider[]).map((p) => [p.id, p]))
  const models = [...options.models]
  const byId = new Map(models.map((spec) => [spec.id, spec]))
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry }
  const clock = options.clock ?? monotonicNow
  const random = options.random ?? Math.random
  const sleep = options.sleep ?? realSleep
  const circuit = new CircuitBreaker({ ...defaultCircuitSettings, ...options.circuit }, clock)
  const autoOptions = options.auto ?? {}
  const fallbacks = options.fallbacks ?? {}
  const defaultSpec =
    (options.defaultModel ? byId.get(options.defaultModel) : undefined) ?? defaultModel(models)

  function resolve(request: RouterRequest): { spec: ModelSpec; autoReasons: string[] | null } {
    const requested = request.model || defaultSpec?.id
    if (requested === 'auto' && defaultSpec) {
      const turn = classifyTurn(request.messages, autoOptions, request.system)
      return {
        spec: pickAutoModel(turn.tier, models, autoOptions, defaultSpec),
        autoReasons: turn.reasons,
      }
    }
    const spec = requested ? byId.get(requested) : undefined
    if (!spec) {
      throw new LlmError('unknown_model', {
        retryable: false,
        detail: `model "${requested ?? ''}" is not among the available models`,
      })
    }
    return { spec, autoReasons: null }
  }

  function chainFor(first: ModelSpec): ModelSpec[] {
    const chain = [first]
    for (const id of fallbacks[first.id] ?? []) {
      const spec = byId.get(id)
      if (spec && !chain.includes(spec)) chain.push(spec)
    }
    return chain
  }

  /** Runs one attempt until its first token (or a failure before it). */
  async function startAttempt(
    provider: ChatProvider,
    request: ChatRequest,
    mode: Mode,
    callSignal: AbortSignal,
    deadlineAt: number,
  ): Promise<AttemptStart> {
    const controller = new AbortController()
    const forwardAbort = () => controller.abort(callSignal.reason)
    callSignal.addEventListener('abort', forwardAbort, { once: true })
    const limit = Math.max(0, Math.min(policy.ttftTimeoutMs, deadlineAt - clock()))
    const timer = setTimeout(() => controller.abort(ATTEMPT_TIMEOUT), limit)
    const detach = () => {
      clearTimeout(timer)
      callSignal.removeEventListener('abort', forwardAbort)
    }
    const events =
      mode === 'stream'
        ? provider.stream(request, controller.signal)
        : bufferedEvents(provider, request, controller.signal)
    const iterator = events[Symbol.asyncIterator]()
    const first: ChatEvent[] = []
    let started = false
    try {
      while (true) {
        const next = await iterator.next()
        if (next.done) return { kind: 'failed', error: streamEndedEarly(provider.id) }
        const event = next.value
        first.push(event)
        if (event.type === 'text' || event.type === 'finish') {
          started = true
          return { kind: 'started', first, iterator, controller, idle: { timedOut: false } }
        }
        if (event.type === 'error') {
          if (controller.signal.reason === ATTEMPT_TIMEOUT) {
            return {
              kind: 'failed',
              error: new LlmError('timeout', {
                provider: provider.id,
                detail: `no first token within ${limit} ms`,
              }),
            }
          }
          if (callSignal.aborted) return { kind: 'aborted' }
          return { kind: 'failed', error: event.error }
        }
      }
    } finally {
      detach()
      if (!started) {
        controller.abort()
        await iterator.return?.()
      }
    }
  }

  async function execute(
    request: RouterRequest,
    signal: AbortSignal,
    emit: (event: ChatEvent) => void,
    mode: Mode,
  ): Promise<CallReport> {
    const startedAt = clock()
    const deadlineAt = startedAt + policy.deadlineMs
    const attempts: AttemptReport[] = []
    const report = (fields: Partial<CallReport> & Pick<CallReport, 'status'>): CallReport => ({
      requestedModel: request.model || defaultSpec?.id || '',
      model: null,
      provider: null,
      upstreamModel: null,
      fallbackFrom: null,
      autoReasons: null,
      attempts,
      attemptCount: attempts.filter((a) => isSent(a.outcome)).length,
      ttftMs: null,
      latencyMs: Math.round(clock() - startedAt),
      usage: emptyUsage(),
      costMicroUsd: 0,
      finishReason: null,
      error: null,
      text: '',
      prompt: request.prompt ?? null,
      ...fields,
    })
    const fail = (error: LlmError, fields: Partial<CallReport> = {}): CallReport => {
      emit({ type: 'error', error })
      return report({ status: error.code === 'aborted' ? 'aborted' : 'error', error, ...fields })
    }

    let resolved: ReturnType<typeof resolve>
    try {
      resolved = resolve(request)
    } catch (error) {
      return fail(error as LlmError)
    }
    const { spec: chosen, autoReasons } = resolved
    const chain = chainFor(chosen)
    const rawCounts = request.messages.map((message) => ({
      content: message.content,
      ...(message.tokenCount === undefined ? {} : { tokenCount: message.tokenCount }),
    }))
    let lastError: LlmError | null = null
    let lastSpec: ModelSpec = chosen
    const identity = (spec: ModelSpec) => ({
      model: spec.id,
      provider: spec.provider,
      upstreamModel: spec.upstreamModel,
      fallbackFrom: spec.id === chosen.id ? null : chosen.id,
      autoReasons,
    })
    const attempt = (
      spec: ModelSpec,
      outcome: AttemptOutcome,
      at: number,
      extra: Partial<AttemptReport> = {},
    ) => {
      const entry: AttemptReport = {
        provider: spec.provider,
        model: spec.id,
        upstreamModel: spec.upstreamModel,
        outcome,
        startedAtMs: Math.round(at - startedAt),
        durationMs: Math.round(clock() - at),
        ...extra,
      }
      attempts.push(entry)
      return entry
    }

    for (const spec of chain) {
      lastSpec = spec
      const provider = providers.get(spec.provider)
      if (!provider) {
        attempt(spec, 'unavailable', clock())
        lastError ??= new LlmError('provider_unavailable', {
          provider: spec.provider,
          detail: 'provider not configured',
        })
        continue
      }
      const maxOutputTokens = Math.min(
        request.maxOutputTokens ?? defaultOutputReserve(spec),
        spec.maxOutputTokens,
      )
      const promptTokens = estimatePromptTokens(request.system, rawCounts, spec)
      if (promptTokens + maxOutputTokens > spec.contextWindow) {
        attempt(spec, 'context_too_long', clock())
        lastError = new LlmError('context_length_exceeded', {
          retryable: false,
          provider: spec.provider,
          detail: `about ${promptTokens} prompt + ${maxOutputTokens} output tokens exceed ${spec.contextWindow}`,
        })
        continue
      }
      const providerRequest: ChatRequest = {
        model: spec.upstreamModel,
        messages: request.messages,
        maxOutputTokens,
        ...(request.system ? { system: request.system } : {}),
        ...(request.temperature !== undefined && spec.capabilities.temperature
          ? { temperature: request.temperature }
          : {}),
      }
      const estimateUsage = (text: string): Usage => ({
        inputTokens: promptTokens,
        outputTokens: text ? countTokens(text, spec) : 0,
        cachedInputTokens: 0,
        reasoningTokens: 0,
        estimated: true,
      })

      for (let tryNumber = 1; tryNumber <= policy.maxAttempts; tryNumber++) {
        if (signal.aborted) return fail(abortedError(), identity(spec))
        const ticket = circuit.acquire(spec.provider)
        if (!ticket) {
          attempt(spec, 'circuit_open', clock())
          lastError ??= new LlmError('provider_unavailable', {
            provider: spec.provider,
            detail: 'circuit open',
          })
          break
        }
        if (clock() >= deadlineAt) {
          ticket.release()
          return fail(
            new LlmError('timeout', { detail: 'call deadline reached before a first token' }),
            identity(lastSpec),
          )
        }
        const at = clock()
        const start = await startAttempt(provider, providerRequest, mode, signal, deadlineAt)
        if (start.kind === 'aborted') {
          ticket.release()
          attempt(spec, 'aborted', at)
          return fail(abortedError(spec.provider), {
            ...identity(spec),
            usage: estimateUsage(''),
            costMicroUsd: costMicroUsd(estimateUsage(''), spec.prices),
          })
        }
        if (start.kind === 'failed') {
          const { error } = start
          ticket.failure(error)
          const entry = attempt(spec, 'error', at, {
            errorCode: error.code,
            ...(error.status === undefined ? {} : { status: error.status }),
          })
          lastError = error
          if (!error.retryable || tryNumber === policy.maxAttempts) break
          const delay = backoffDelay(tryNumber, error.retryAfterMs, policy, random)
          if (delay === null || clock() + delay >= deadlineAt) break
          entry.backoffMs = delay
          await sleep(delay, signal)
          continue
        }

        // First token: from here on nothing is retried or switched.
        ticket.success()
        const ttftMs = Math.round(clock() - startedAt)
        const okAttempt = attempt(spec, 'ok', at)
        return await relay(start, spec, {
          emit,
          signal,
          finish: (outcome) => {
            okAttempt.durationMs = Math.round(clock() - at)
            const usage = outcome.usage ?? estimateUsage(outcome.text)
            if (outcome.error) circuit.streamFailed(spec.provider, outcome.error)
            if (outcome.error)
              okAttempt.outcome = outcome.error.code === 'aborted' ? 'aborted' : 'error'
            if (outcome.error) okAttempt.errorCode = outcome.error.code
            return report({
              status: outcome.error
                ? outcome.error.code === 'aborted'
                  ? 'aborted'
                  : 'error'
                : 'ok',
              ...identity(spec),
              ttftMs,
              usage,
              costMicroUsd: costMicroUsd(usage, spec.prices),
              finishReason: outcome.finishReason,
              error: outcome.error,
              text: outcome.text,
            })
          },
        })
      }
    }
    return fail(
      lastError ?? new LlmError('provider_unavailable', { detail: 'no model could be tried' }),
      identity(lastSpec),
    )
  }

  interface RelayOutcome {
    text: string
    usage: Usage | null
    finishReason: FinishReason | null
    error: LlmError | null
  }

  /** Forwards a started attempt to the caller until it finishes, fails or is aborted. */
  async function relay(
    start: Extract<AttemptStart, { kind: 'started' }>,
    spec: ModelSpec,
    context: {
      emit: (event: ChatEvent) => void
      signal: AbortSignal
      finish: (outcome: RelayOutcome) => CallReport
    },
  ): Promise<CallReport> {
    const { iterator, controller, idle } = start
    const { emit, signal } = context
    const outcome: RelayOutcome = { text: '', usage: null, finishReason: null, error: null }
    const forwardAbort = () => controller.abort(signal.reason)
    signal.addEventListener('abort', forwardAbort, { once: true })
    if (signal.aborted) controller.abort(signal.reason)
    let idleTimer: ReturnType<typeof setTimeout> | undefined
    const armIdle = () => {
      clearTimeout(idleTimer)
      idleTimer = setTimeout(() => {
        idle.timedOut = true
        controller.abort(ATTEMPT_TIMEOUT)
      }, policy.streamIdleTimeoutMs)
    }
    const handle = (event: ChatEvent): boolean => {
      switch (event.type) {
        case 'text':
          outcome.text += event.text
          emit(event)
          return true
        case 'usage':
          outcome.usage = event.usage
          emit(event)
          return true
        case 'finish':
          outcome.finishReason = event.reason
          emit(event)
          return false
        case 'error': {
          const error = idle.timedOut
            ? new LlmError('timeout', {
                provider: spec.provider,
                detail: `stream silent for ${policy.streamIdleTimeoutMs} ms`,
              })
            : signal.aborted
              ? abortedError(spec.provider)
              : event.error
          outcome.error = error
          emit({ type: 'error', error })
          return false
        }
      }
    }
    try {
      let more = true
      for (const event of start.first) more = handle(event) && more
      armIdle()
      while (more) {
        const next = await iterator.next()
        if (next.done) {
          if (outcome.finishReason === null && outcome.error === null) {
            handle({ type: 'error', error: streamEndedEarly(spec.provider) })
          }
          break
        }
        armIdle()
        more = handle(next.value)
      }
    } finally {
      clearTimeout(idleTimer)
      signal.removeEventListener('abort', forwardAbort)
      await iterator.return?.()
    }
    return context.finish(outcome)
  }

  return {
    models,
    stream(request, signal) {
      const controller = new AbortController()
      const forwardAbort = () => controller.abort(signal.reason)
      if (signal.aborted) controller.abort(signal.reason)
      else signal.addEventListener('abort', forwardAbort, { once: true })
      const queue = new EventQueue<ChatEvent>(() => controller.abort())
      const result = execute(request, controller.signal, (event) => queue.push(event), 'stream')
        .catch((error: unknown) => unexpected(error, request))
        .finally(() => {
          signal.removeEventListener('abort', forwardAbort)
          queue.close()
        })
      return { events: queue, result }
    },
    async complete(request, signal) {
      const report = await execute(request, signal, () => {}, 'buffered').catch((error: unknown) =>
        unexpected(error, request),
      )
      return { text: report.text, report }
    },
    circuitState: (provider) => circuit.state(provider),
  }
}

function isSent(outcome: AttemptOutcome): boolean {
  return outcome === 'ok' || outcome === 'error' || outcome === 'aborted'
}

async function* bufferedEvents(
  provider: ChatProvider,
  request: ChatRequest,
  signal: AbortSignal,
): AsyncGenerator<ChatEvent> {
  try {
    const completion = await provider.complete(request, signal)
    if (completion.text) yield { type: 'text', text: completion.text }
    if (completion.usage) yield { type: 'usage', usage: completion.usage }
    yield { type: 'finish', reason: completion.finishReason }
  } catch (error) {
    yield {
      type: 'error',
      error:
        error instanceof LlmError
          ? error
          : new LlmError('provider_error', { detail: String(error) }),
    }
  }
}

/** A bug in the router must still produce a report, never a rejected promise. */
function unexpected(error: unknown, request: RouterRequest): CallReport {
  const llmError = new LlmError('provider_error', { retryable: false, detail: String(error) })
  return {
    status: 'error',
    requestedModel: request.model ?? '',
    model: null,
    provider: null,
    upstreamModel: null,
    fallbackFrom: null,
    autoReasons: null,
    attempts: [],
    attemptCount: 1,
    ttftMs: null,
    latencyMs: 0,
    usage: emptyUsage(),
    costMicroUsd: 0,
    finishReason: null,
    error: llmError,
    text: '',
    prompt: request.prompt ?? null,
  }
}
