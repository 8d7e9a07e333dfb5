import { modelList } from '@parley/schema/contracts'
import { Hono } from 'hono'
import type { AppEnv } from '../env.ts'
import { docs } from './docs.ts'

export const models = new Hono<AppEnv>().get(
  '/',
  docs('models', 'Models this server can answer with, their prices, and the default', {
    200: { description: 'OK', schema: modelList },
  }),
  (c) => c.json(c.var.deps.models.list()),
)
