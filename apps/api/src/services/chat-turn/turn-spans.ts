import { type Context, context, type Span, SpanStatusCode, trace } from '@opentelemetry/api'
import type { RouterStream } from '@parley/llm'
import type { TurnContext } from './turn-types.ts'

const tracer = trace.getTracer('@parley/api')

/** The steps of a turn that get a span (ARCHITECTURE section 6), plus the first exchange's title. */
export type TurnStep = 'prepare' | 'admit' | 'context' | 'stream' | 'settle' | 'title'

/** Where a turn's spans hang: the request's span, captured before its first transaction opens. */
export const turnTraceParent = (): Context => context.active()

const stepAttributes = (ctx: TurnContext, step: TurnStep) => ({
  'parley.turn.step': step,
  'parley.request_id': ctx.requestId,
})

/**
 * Runs one step of a turn in a span, a child of the active one. Its attributes say which step
 * and which request, never what was said. A no-op unless tracing is on.
 */
export function inTurnStep<T>(ctx: TurnContext, step: TurnStep, run: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(
    `turn ${step}`,
    { attributes: stepAttributes(ctx, step) },
    async (span) => {
      try {
        return await run()
      } catch (error) {
        failed(span, error)
        throw error
      } finally {
        span.end()
      }
    },
  )
}

/**
 * The **stream** step's span: it begins with the provider call, under `parent` rather than the
 * transaction the call is opened in, so the provider attempts are its children; it ends when
 * the call does.
 */
export function streamStep(
  ctx: TurnContext,
  parent: Context,
  open: () => RouterStream,
): RouterStream {
  const span = tracer.startSpan(
    'turn stream',
    { attributes: stepAttributes(ctx, 'stream') },
    parent,
  )
  const call = context.with(trace.setSpan(parent, span), open)
  void call.result.then((report) => {
    if (report.status === 'error') failed(span, report.error)
    span.end()
  })
  return call
}

/** Marks the span failed with the error's code, never its message. */
function failed(span: Span, error: unknown) {
  const code = (error as { code?: unknown } | null)?.code
  span.setAttribute('error.type', typeof code === 'string' ? code : 'internal_error')
  span.setStatus({ code: SpanStatusCode.ERROR })
}
