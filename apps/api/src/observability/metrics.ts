import type { CallReport, CircuitState } from '@parley/llm'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/** What the metrics read at scrape time rather than count as it happens. */
export interface MetricSources {
  /** Replies this process is streaming now. */
  openStreams: () => number
  /** Each configured provider's circuit breaker. */
  circuits: () => readonly { provider: string; state: CircuitState }[]
}

/** Prometheus series of one API process; each app instance has its own registry. */
export interface Metrics {
  readonly registry: Registry
  /** One finished HTTP request, by its route pattern (never the raw path, which holds ids). */
  request(route: string, method: string, status: number, seconds: number): void
  /** One finished chat turn: its timing, tokens, cost, provider errors and fallback. */
  turn(report: CallReport): void
  /** A model call started from a held thread: kept by its turn, or stopped and made again. */
  earlyCall(outcome: 'kept' | 'stopped'): void
}

const circuitValue: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 }

/** Request latency buckets, in seconds: JSON answers in ms, streamed headers, slow databases. */
const requestBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
/** Model latency buckets, in seconds: first tokens and whole replies. */
const modelBuckets = [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120]

export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'parley_' })
  const registers = [registry]

  const requests = new Counter({
    name: 'parley_http_requests_total',
    help: 'HTTP requests by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers,
  })
  const requestSeconds = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'Time to the response headers, by route pattern and method.',
    labelNames: ['route', 'method'] as const,
    buckets: requestBuckets,
    registers,
  })
  const turns = new Counter({
    name: 'parley_turns_total',
    help: 'Chat turns by the model that answered (or was tried last) and how they ended.',
    labelNames: ['model', 'provider', 'status'] as const,
    registers,
  })
  const ttft = new Histogram({
    name: 'parley_turn_ttft_seconds',
    help: 'Time from the start of a turn to the first token of its reply.',
    labelNames: ['model', 'provider'] as const,
    buckets: modelBuckets,
    registers,
  })
  const turnSeconds = new Histogram({
    name: 'parley_turn_duration_seconds',
    help: 'Time from the start of a turn to the end of its reply.',
    labelNames: ['model', 'provider'] as const,
    buckets: modelBuckets,
    registers,
  })
  const tokens = new Counter({
    name: 'parley_tokens_total',
    help: 'Tokens by model, provider and kind (input, output, cached input).',
    labelNames: ['model', 'provider', 'kind'] as const,
    registers,
  })
  const cost = new Counter({
    name: 'parley_cost_usd_total',
    help: 'What the replies cost, in US dollars, by model and provider.',
    labelNames: ['model', 'provider'] as const,
    registers,
  })
  const providerErrors = new Counter({
    name: 'parley_provider_errors_total',
    help: 'Failed attempts at a model, by model, provider and error code.',
    labelNames: ['model', 'provider', 'code'] as const,
    registers,
  })
  const fallbacks = new Counter({
    name: 'parley_fallbacks_total',
    help: 'Replies that came from another model than the one chosen first.',
    labelNames: ['from', 'to'] as const,
    registers,
  })
  const earlyCalls = new Counter({
    name: 'parley_early_calls_total',
    help: 'Model calls started before their turn was stored, by outcome: kept, or stopped because the stored thread differed.',
    labelNames: ['outcome'] as const,
    registers,
  })
  new Gauge({
    name: 'parley_open_streams',
    help: 'Replies this process is streaming now.',
    registers,
    collect() {
      this.set(sources.openStreams())
    },
  })
  new Gauge({
    name: 'parley_circuit_state',
    help: 'Circuit breaker per provider: 0 closed, 1 half open, 2 open.',
    labelNames: ['provider'] as const,
    registers,
    collect() {
      for (const { provider, state } of sources.circuits()) {
        this.set({ provider }, circuitValue[state])
      }
    },
  })

  return {
    registry,
    request(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) })
      requestSeconds.observe({ route, method }, seconds)
    },
    turn(report) {
      for (const attempt of report.attempts) {
        if (attempt.outcome !== 'error') continue
        providerErrors.inc({
          model: attempt.model,
          provider: attempt.provider,
          code: attempt.errorCode ?? 'unknown',
        })
      }
      if (!report.model || !report.provider) return
      const labels = { model: report.model, provider: report.provider }
      turns.inc({ ...labels, status: report.status })
      if (report.ttftMs !== null) ttft.observe(labels, report.ttftMs / 1000)
      turnSeconds.observe(labels, report.latencyMs / 1000)
      tokens.inc({ ...labels, kind: 'input' }, report.usage.inputTokens)
      tokens.inc({ ...labels, kind: 'output' }, report.usage.outputTokens)
      tokens.inc({ ...labels, kind: 'cached_input' }, report.usage.cachedInputTokens)
      cost.inc(labels, report.costMicroUsd / 1_000_000)
      if (report.fallbackFrom) fallbacks.inc({ from: report.fallbackFrom, to: report.model })
    },
    earlyCall(outcome) {
      earlyCalls.inc({ outcome })
    },
  }
}
