import {
  createConversation,
  deleteConversation,
  getConversation,
  listConversations,
  updateConversation,
} from '@parley/db'
import {
  conversation,
  conversationPage,
  createConversationBody,
  idParam,
  pageQuery,
  updateConversationBody,
} from '@parley/schema/contracts'
import { Hono } from 'hono'
import type { AppEnv } from '../env.ts'
import { notFound } from '../errors.ts'
import { validate } from '../middleware/validate.ts'
import { recordActivity } from '../observability/activity-log.ts'
import { docs } from './docs.ts'

export const conversations = new Hono<AppEnv>()
  .get(
    '/',
    docs('conversations', 'The caller’s conversations, most recently active first', {
      200: { description: 'A page', schema: conversationPage },
    }),
    validate('query', pageQuery),
    async (c) => {
      const page = await c.var.deps.db.withUser(c.var.claims, (tx) =>
        listConversations(tx, c.req.valid('query')),
      )
      return c.json(page)
    },
  )
  .post(
    '/',
    docs('conversations', 'Start a conversation', {
      201: { description: 'Created', schema: conversation },
    }),
    validate('json', createConversationBody),
    async (c) => {
      const body = c.req.valid('json')
      if (body.model) c.var.deps.models.resolve(body.model)
      const created = await c.var.deps.db.withUser(c.var.claims, (tx) =>
        createConversation(tx, body),
      )
      recordActivity(c, 'conversation_created', { targetId: created.id })
      return c.json(created, 201)
    },
  )
  .get(
    '/:id',
    docs('conversations', 'One conversation', { 200: { description: 'OK', schema: conversation } }),
    validate('param', idParam),
    async (c) => {
      const found = await c.var.deps.db.withUser(c.var.claims, (tx) =>
        getConversation(tx, c.req.valid('param').id),
      )
      if (!found) throw notFound('conversation')
      return c.json(found)
    },
  )
  .patch(
    '/:id',
    docs('conversations', 'Rename, change model or settings, archive', {
      200: { description: 'Updated', schema: conversation },
    }),
    validate('param', idParam),
    validate('json', updateConversationBody),
    async (c) => {
      const patch = c.req.valid('json')
      if (patch.model) c.var.deps.models.resolve(patch.model)
      const updated = await c.var.deps.db.withUser(c.var.claims, (tx) =>
        updateConversation(tx, c.req.valid('param').id, patch),
      )
      if (!updated) throw notFound('conversation')
      c.var.deps.turns.changed({ conversationId: updated.id })
      return c.json(updated)
    },
  )
  .delete(
    '/:id',
    docs('conversations', 'Delete a conversation and its messages', {
      204: { description: 'Deleted' },
    }),
    validate('param', idParam),
    async (c) => {
      const deleted = await c.var.deps.db.withUser(c.var.claims, (tx) =>
        deleteConversation(tx, c.req.valid('param').id),
      )
      if (!deleted) throw notFound('conversation')
      c.var.deps.turns.changed({ conversationId: c.req.valid('param').id })
      recordActivity(c, 'conversation_deleted', { targetId: c.req.valid('param').id })
      return c.body(null, 204)
    },
  )
