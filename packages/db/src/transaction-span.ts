import { type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'

const tracer = trace.getTracer('@parley/db')

/** Whose rights a transaction runs with: a user's (under RLS), the service role's, or the owner's. */
export type DbAccess = 'user' | 'service' | 'owner'

/**
 * Runs one database round trip or transaction in a span: what kind it was and how it ended,
 * never its SQL or values. A no-op unless the process registered an OpenTelemetry SDK.
 */
export function inDbSpan<T>(
  name: 'db.transaction' | 'db.statement',
  access: DbAccess,
  fn: () => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(
    name,
    {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system.name': 'postgresql', 'parley.db.access': access },
    },
    async (span) => {
      try {
        return await fn()
      } catch (error) {
        failed(span, error)
        throw error
      } finally {
        span.end()
      }
    },
  )
}

/** Marks the span failed with the error's code or class: its message may quote stored values. */
function failed(span: Span, error: unknown) {
  const code = (error as { code?: unknown } | null)?.code
  const type = typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown'
  span.setAttribute('error.type', type)
  span.setStatus({ code: SpanStatusCode.ERROR })
}
