import { createHash, timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import type { AppEnv } from '../env.ts'
import { notFound, unauthorized } from '../errors.ts'
import { bearerToken } from '../middleware/authenticate.ts'
import type { Metrics } from './metrics.ts'

const digest = (text: string) => createHash('sha256').update(text).digest()

/** Counts every request by its route pattern once its response headers are ready. */
export function recordRequests(metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now()
    await next()
    metrics.request(routePath(c), c.req.method, c.res.status, (performance.now() - start) / 1000)
  }
}

/**
 * `GET /metrics` in Prometheus text format, to a scraper presenting the token. Without a token
 * configured the route does not exist (404), so a public deployment exposes nothing.
 */
export function metricsEndpoint(metrics: { series: Metrics; token: string } | undefined) {
  const expected = metrics ? digest(metrics.token) : undefined
  return async (c: Context<AppEnv>) => {
    if (!metrics || !expected) throw notFound('route')
    const presented = bearerToken(c.req.header('authorization'))
    if (!presented || !timingSafeEqual(digest(presented), expected)) {
      throw unauthorized('the metrics token is required')
    }
    c.header('Content-Type', metrics.series.registry.contentType)
    c.header('Cache-Control', 'no-store')
    return c.body(await metrics.series.registry.metrics())
  }
}
