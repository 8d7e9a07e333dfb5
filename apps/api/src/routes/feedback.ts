import { clearFeedback, setFeedback } from '@parley/db'
import { idParam, messageFeedback, putFeedbackBody } from '@parley/schema/contracts'
import { Hono } from 'hono'
import type { AppEnv } from '../env.ts'
import { notFound } from '../errors.ts'
import { validate } from '../middleware/validate.ts'
import { recordActivity } from '../observability/activity-log.ts'
import { docs } from './docs.ts'

/** `/messages/:id/feedback`: the caller's vote on one of their replies. */
export const feedback = new Hono<AppEnv>()
  .put(
    '/:id/feedback',
    docs('feedback', 'Vote a reply up or down, with optional reasons and a comment; changeable', {
      200: { description: 'The vote as stored', schema: messageFeedback },
    }),
    validate('param', idParam),
    validate('json', putFeedbackBody),
    async (c) => {
      const row = await c.var.deps.db.withUser(c.var.claims, (tx) =>
        setFeedback(tx, c.req.valid('param').id, c.req.valid('json')),
      )
      if (!row) throw notFound('reply')
      recordActivity(c, 'feedback_given', {
        targetId: row.messageId,
        meta: { vote: row.vote, reasons: row.reasons.length, comment: row.comment !== null },
      })
      return c.json({
        messageId: row.messageId,
        vote: row.vote,
        reasons: row.reasons,
        comment: row.comment,
        updatedAt: row.updatedAt,
      })
    },
  )
  .delete(
    '/:id/feedback',
    docs('feedback', 'Clear the vote on a reply', { 204: { description: 'Cleared' } }),
    validate('param', idParam),
    async (c) => {
      const cleared = await c.var.deps.db.withUser(c.var.claims, (tx) =>
        clearFeedback(tx, c.req.valid('param').id),
      )
      if (!cleared) throw notFound('feedback')
      recordActivity(c, 'feedback_cleared', { targetId: c.req.valid('param').id })
      return c.body(null, 204)
    },
  )
