import { type Attributes, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { ModelSpec } from '../catalog/model-spec.ts'
import type { LlmError } from '../errors.ts'
import type { CallReport } from './call-report.ts'

const tracer = trace.getTracer('@parley/llm')

/** One attempt at one provider, as a span of the GenAI conventions; never prompts or replies. */
export interface AttemptSpan {
  /** The attempt's reply is over (it may still have failed after its first token). */
  answered(report: CallReport): void
  /** No first token: the provider failed, timed out or was cut off by the caller. */
  failed(error: LlmError): void
}

/**
 * Starts the span of an attempt, a child of the active span. A no-op unless the process
 * registered an OpenTelemetry SDK, and only two calls per attempt: nothing per chunk.
 */
export function startAttemptSpan(
  spec: ModelSpec,
  attempt: { tryNumber: number; requestId: string | undefined },
): AttemptSpan {
  const attributes: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': spec.provider,
    'gen_ai.system': spec.provider,
    'gen_ai.request.model': spec.upstreamModel,
    'parley.model': spec.id,
    'parley.attempt': attempt.tryNumber,
  }
  if (attempt.requestId) attributes['parley.request_id'] = attempt.requestId
  const span = tracer.startSpan(`chat ${spec.upstreamModel}`, {
    kind: SpanKind.CLIENT,
    attributes,
  })
  return {
    answered(report) {
      if (span.isRecording()) {
        span.setAttributes({
          'gen_ai.response.model': report.upstreamModel ?? spec.upstreamModel,
          'gen_ai.usage.input_tokens': report.usage.inputTokens,
          'gen_ai.usage.output_tokens': report.usage.outputTokens,
          'parley.cost_usd': report.costMicroUsd / 1_000_000,
          ...(report.finishReason
            ? { 'gen_ai.response.finish_reasons': [report.finishReason] }
            : {}),
        })
      }
      end(span, report.error)
    },
    failed: (error) => end(span, error),
  }
}

/** Ends the span, failed with the error's code (its message may quote the provider: never recorded). */
function end(span: Span, error: LlmError | null) {
  if (error?.code === 'aborted') {
    // Stopped by the caller (the user, or a shutdown): how it ended, not a failure.
    span.setAttribute('parley.aborted', true)
  } else if (error) {
    span.setAttribute('error.type', error.code)
    if (error.status !== undefined) span.setAttribute('http.response.status_code', error.status)
    span.setStatus({ code: SpanStatusCode.ERROR })
  }
  span.end()
}
