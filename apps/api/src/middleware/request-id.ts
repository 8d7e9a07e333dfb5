import { randomUUID } from 'node:crypto'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env.ts'

/** Printable, short, no spaces: safe to log and echo. */
const acceptable = /^[A-Za-z0-9._:-]{8,128}$/

/** Echoes a well-formed incoming `x-request-id` or makes one; every response carries it. */
export const requestId = createMiddleware<AppEnv>(async (c, next) => {
  const incoming = c.req.header('x-request-id')
  const id = incoming && acceptable.test(incoming) ? incoming : randomUUID()
  c.set('requestId', id)
  c.header('x-request-id', id)
  await next()
  c.header('x-request-id', id)
})
