import { createMiddleware } from 'hono/factory'
import { routePath } from 'hono/route'
import type { Logger } from 'pino'
import type { AppEnv } from '../env.ts'

/**
 * One JSON line per request: id, user, route, status, duration. Never headers, bodies or tokens.
 * For a streamed reply the duration is the time to its headers; the chat turn logs its own end.
 */
export function requestLog(logger: Logger) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const start = performance.now()
    const log = logger.child({ requestId: c.get('requestId') })
    c.set('logger', log)
    await next()
    const claims = c.get('claims') as AppEnv['Variables']['claims'] | undefined
    const status = c.res.status
    const entry = {
      method: c.req.method,
      route: routePath(c),
      status,
      durationMs: Math.round((performance.now() - start) * 10) / 10,
      ...(claims ? { userId: claims.sub } : {}),
      ...(c.res.headers.get('content-type')?.startsWith('text/event-stream')
        ? { streaming: true }
        : {}),
    }
    if (status >= 500) log.error(entry, 'request')
    else log.info(entry, 'request')
  })
}
