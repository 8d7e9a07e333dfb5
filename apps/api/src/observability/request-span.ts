import { type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api'
import { createMiddleware } from 'hono/factory'
import { routePath } from 'hono/route'
import type { AppEnv } from '../env.ts'

/** The attribute that ties a span to its request's `x-request-id` (and its log lines). */
export const requestIdAttribute = 'parley.request_id'

// The stable HTTP names, spelled out: the conventions package is megabytes this module need not load.
const ATTR_ERROR_TYPE = 'error.type'
const ATTR_HTTP_REQUEST_METHOD = 'http.request.method'
const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code'
const ATTR_HTTP_ROUTE = 'http.route'

/**
 * A server span per request, named `METHOD /route/:pattern` (never the raw path, which holds
 * ids), with its status and request id; the spans of the work it does are its descendants. A
 * streamed reply's span lasts until the stream ends, not just until its headers.
 */
export function traceRequests(tracer: Tracer) {
  return createMiddleware<AppEnv>((c, next) =>
    tracer.startActiveSpan(
      c.req.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: c.req.method,
          [requestIdAttribute]: c.var.requestId,
        },
      },
      async (span) => {
        try {
          await next()
        } finally {
          const route = routePath(c)
          span.updateName(`${c.req.method} ${route}`)
          span.setAttributes({
            [ATTR_HTTP_ROUTE]: route,
            [ATTR_HTTP_RESPONSE_STATUS_CODE]: c.res.status,
          })
          if (c.res.status >= 500) {
            span.setAttribute(ATTR_ERROR_TYPE, String(c.res.status))
            span.setStatus({ code: SpanStatusCode.ERROR })
          }
          endWithResponse(c.env, c.res, span)
        }
      },
    ),
  )
}

interface NodeBindings {
  outgoing?: { closed: boolean; once(event: 'close', listener: () => void): unknown }
}

/** Ends the span now, or for a streamed body once Node has sent it (or the client went away). */
function endWithResponse(env: unknown, response: Response, span: Span) {
  const outgoing = (env as NodeBindings | undefined)?.outgoing
  const streamed = response.headers.get('content-type')?.startsWith('text/event-stream')
  if (streamed && outgoing && !outgoing.closed) outgoing.once('close', () => span.end())
  else span.end()
}
