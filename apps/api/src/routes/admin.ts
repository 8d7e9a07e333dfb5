import { feedbackByModel as countFeedback } from '@parley/db'
import { feedbackByModel } from '@parley/schema/contracts'
import { Hono } from 'hono'
import type { AppEnv } from '../env.ts'
import { requireAdmin } from '../middleware/require-admin.ts'
import { docs } from './docs.ts'

/** Team-wide views; every route needs the admin role and reads under the admin's own claims. */
export const admin = new Hono<AppEnv>().use('*', requireAdmin).get(
  '/feedback',
  docs('admin', 'Satisfaction per model: up and down votes across every user', {
    200: { description: 'OK', schema: feedbackByModel },
  }),
  async (c) => {
    const items = await c.var.deps.db.withUser(c.var.claims, countFeedback)
    return c.json({ items })
  },
)
