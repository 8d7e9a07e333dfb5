import { defaultModel } from '../catalog/availability.ts'
import type { ModelSpec } from '../catalog/model-spec.ts'
import { LlmError } from '../errors.ts'
import { type Clock, monotonicNow, sleep as realSleep, type Sleep } from '../time.ts'
import type { ChatEvent, ChatProvider, Usage } from '../types.ts'
import type { AutoRoutingOptions } from './auto-model.ts'
import { type CallReport, CallReportBuilder, unexpectedFailureReport } from './call-report.ts'
import {
  type CandidatePlan,
  planCandidates,
  type ReadyCandidate,
  type RoutingTable,
} from './candidate-plan.ts'
import {
  CircuitBreaker,
  type CircuitSettings,
  type CircuitState,
  defaultCircuitSettings,
} from './circuit-breaker.ts'
import { EventQueue } from './event-queue.ts'
import { defaultRetryPolicy, type RetryPolicy } from './retry-policy.ts'
import type { RouterRequest } from './router-request.ts'
import { type CallContext, type RouterRuntime, tryModel } from './try-model.ts'

export type { AttemptOutcome, AttemptReport, CallReport } from './call-report.ts'
export type { ModelAdmission, RouterRequest } from './router-request.ts'

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
  /**
   * A router over another catalog (models, default, fallbacks, `auto` tiers) that keeps this
   * one's retry policy and circuit breakers: an admin's catalog edit does not forget which
   * provider is failing. Calls already running finish on the catalog they started with.
   */
  reroute(table: RouteTable): Router
}

export type RouteTable = Pick<RouterOptions, 'models' | 'defaultModel' | 'fallbacks' | 'auto'>

export function createRouter(options: RouterOptions): Router {
  const clock = options.clock ?? monotonicNow
  const runtime: RouterRuntime = {
    policy: { ...defaultRetryPolicy, ...options.retry },
    clock,
    random: options.random ?? Math.random,
    sleep: options.sleep ?? realSleep,
    circuit: new CircuitBreaker({ ...defaultCircuitSettings, ...options.circuit }, clock),
  }
  return routerOver(routingTable(options), runtime, options.providers)
}

function routerOver(
  routes: RoutingTable,
  runtime: RouterRuntime,
  providers: RouterOptions['providers'],
): Router {
  const run = (request: RouterRequest, io: CallIo) =>
    runCall(routes, runtime, request, io).catch((error: unknown) =>
      unexpectedFailureReport(error, request),
    )
  return {
    models: routes.models,
    stream(request, signal) {
      const controller = new AbortController()
      const forwardAbort = () => controller.abort(signal.reason)
      if (signal.aborted) controller.abort(signal.reason)
      else signal.addEventListener('abort', forwardAbort, { once: true })
      const queue = new EventQueue<ChatEvent>(() => controller.abort())
      const emit = (event: ChatEvent) => queue.push(event)
      const result = run(request, { mode: 'stream', signal: controller.signal, emit }).finally(
        () => {
          signal.removeEventListener('abort', forwardAbort)
          queue.close()
        },
      )
      return { events: queue, result }
    },
    async complete(request, signal) {
      const report = await run(request, { mode: 'buffered', signal, emit: () => {} })
      return { text: report.text, report }
    },
    circuitState: (provider) => runtime.circuit.state(provider),
    reroute: (table) => routerOver(routingTable({ ...table, providers }), runtime, providers),
  }
}

type CallIo = Pick<CallContext, 'mode' | 'signal' | 'emit'>

/** One call: plan the candidates, try each until one answers, report how it went. */
async function runCall(
  routes: RoutingTable,
  runtime: RouterRuntime,
  request: RouterRequest,
  io: CallIo,
): Promise<CallReport> {
  const requestedModel = request.model || routes.defaultSpec?.id || ''
  const report = new CallReportBuilder(requestedModel, request.prompt ?? null, runtime.clock)
  const fail = (error: LlmError, spec?: ModelSpec, usage?: Usage) => {
    io.emit({ type: 'error', error })
    return report.failed(error, spec, usage)
  }
  let plan: CandidatePlan
  try {
    plan = planCandidates(routes, request)
  } catch (error) {
    return fail(error as LlmError)
  }
  report.routed(plan.chosen, plan.autoReasons)
  const deadlineAt = report.startedAt + runtime.policy.deadlineMs
  const ctx: CallContext = { ...runtime, ...io, deadlineAt, report, requestId: request.requestId }
  let last = plan.chosen
  for (const candidate of plan.candidates) {
    if (candidate.kind === 'skipped') {
      last = candidate.spec
      report.skipped(candidate.spec, candidate.outcome, candidate.error)
      continue
    }
    const refusal = await admitModel(request, candidate)
    if (refusal) return fail(refusal, last)
    last = candidate.spec
    const outcome = await tryModel(ctx, candidate)
    if (outcome.kind === 'answered') return outcome.report
    if (outcome.kind === 'stopped') return fail(outcome.error, candidate.spec, outcome.usage)
  }
  const nothingTried = new LlmError('provider_unavailable', { detail: 'no model could be tried' })
  return fail(report.lastError ?? nothingTried, last)
}

/** The caller's word on trying `candidate`: null to go on, else the error that ends the call. */
async function admitModel(
  request: RouterRequest,
  candidate: ReadyCandidate,
): Promise<LlmError | null> {
  if (!request.admitModel) return null
  const refusal = await request.admitModel({
    spec: candidate.spec,
    promptTokens: candidate.promptTokens,
    maxOutputTokens: candidate.request.maxOutputTokens,
  })
  if (!refusal) return null
  return new LlmError('refused', {
    retryable: false,
    message: refusal.message,
    provider: candidate.spec.provider,
  })
}

function routingTable(options: RouterOptions): RoutingTable {
  const models = [...options.models]
  const byId = new Map(models.map((spec) => [spec.id, spec]))
  return {
    providers:
      options.providers instanceof Map
        ? (options.providers as ReadonlyMap<string, ChatProvider>)
        : new Map((options.providers as readonly ChatProvider[]).map((p) => [p.id, p])),
    models,
    byId,
    defaultSpec:
      (options.defaultModel ? byId.get(options.defaultModel) : undefined) ?? defaultModel(models),
    fallbacks: options.fallbacks ?? {},
    auto: options.auto ?? {},
  }
}
