import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { payloadTooLarge } from '../errors.ts'

/**
 * Refuses a request body over `maxBytes` with `413 payload_too_large`. A body sent with a
 * Content-Length (which Node's HTTP parser holds it to) is judged by that header alone: Hono's
 * `bodyLimit` reads `c.req.raw.body`, which turns the adapter's light request into a full
 * `Request` and makes the route read its JSON through web streams. A chunked body has no length
 * to trust, so `bodyLimit` counts it as it arrives.
 */
export function bodyWithin(maxBytes: number): MiddlewareHandler {
  const tooLarge = (): never => {
    throw payloadTooLarge(`the request body is over ${maxBytes} bytes`)
  }
  const counted = bodyLimit({ maxSize: maxBytes, onError: tooLarge })
  return (c, next) => {
    if (c.req.header('transfer-encoding') !== undefined) return counted(c, next)
    // No Content-Length and no Transfer-Encoding: HTTP/1.1 says there is no body.
    if (Number(c.req.header('content-length') ?? 0) > maxBytes) tooLarge()
    return next()
  }
}
