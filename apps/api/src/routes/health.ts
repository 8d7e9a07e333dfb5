import {
  type Health,
  health as healthSchema,
  type Readiness,
  readiness,
} from '@parley/schema/contracts'
import { Hono } from 'hono'
import type { AppEnv } from '../env.ts'
import { docs } from './docs.ts'

export const health = new Hono<AppEnv>()
  .get(
    '/health',
    docs(
      'system',
      'Liveness and database reachability',
      {
        200: { description: 'Healthy', schema: healthSchema },
      },
      { auth: false },
    ),
    async (c) => {
      const { db, config, version } = c.var.deps
      const database = await db.ping().then(
        () => 'ok' as const,
        () => 'unavailable' as const,
      )
      const body: Health = {
        status: database === 'ok' ? 'ok' : 'degraded',
        database,
        mode: config.mode,
        version,
      }
      c.header('Cache-Control', 'no-store')
      return c.json(body, database === 'ok' ? 200 : 503)
    },
  )
  .get(
    '/ready',
    docs(
      'system',
      'Readiness: the database answers and the server is not shutting down',
      {
        200: {
          description: 'Ready for traffic; 503 with the same body while shutting down',
          schema: readiness,
        },
      },
      { auth: false },
    ),
    async (c) => {
      const { db, turns } = c.var.deps
      const database = turns.draining
        ? ('unavailable' as const)
        : await db.ping().then(
            () => 'ok' as const,
            () => 'unavailable' as const,
          )
      const body: Readiness = {
        status: turns.draining ? 'draining' : database === 'ok' ? 'ready' : 'unavailable',
        database,
      }
      c.header('Cache-Control', 'no-store')
      return c.json(body, body.status === 'ready' ? 200 : 503)
    },
  )
