import { createShare, listShares, readShare, revokeShare, type ShareSummary } from '@parley/db'
import {
  createShareBody,
  idParam,
  type Share,
  type SharedConversation,
  share,
  sharedConversation,
  shareList,
  shareParam,
} from '@parley/schema/contracts'
import { type Context, Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env.ts'
import { AppError, notFound } from '../errors.ts'
import { rateLimitByAddress } from '../middleware/rate-limit.ts'
import { validate } from '../middleware/validate.ts'
import { recordActivity } from '../observability/activity-log.ts'
import { docs } from './docs.ts'

/** Share pages and their data stay out of search engines, whatever the response. */
export const noIndex = createMiddleware<AppEnv>(async (c, next) => {
  await next()
  c.header('X-Robots-Tag', 'noindex')
})

/**
 * Where the link's page lives: the web app that asked (its `Origin`, which may be a static host
 * apart from the API), else this server, which serves the web app itself (on the scheme a
 * trusted proxy in front of it says the client used).
 */
function webOrigin(c: Context<AppEnv>): string {
  const origin = c.req.header('origin')
  if (origin && /^https?:\/\/[^/\s]+$/.test(origin)) return origin
  const url = new URL(c.req.url)
  const forwardedProto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim()
  if (c.var.deps.trustedProxies.kind !== 'none' && /^https?$/.test(forwardedProto ?? '')) {
    url.protocol = `${forwardedProto}:`
  }
  return url.origin
}

function shareBody(c: Context<AppEnv>, row: ShareSummary): Share {
  return {
    id: row.id,
    url: `${webOrigin(c)}/s/${row.id}`,
    title: row.title,
    createdAt: row.createdAt.toISOString(),
    messageCount: row.messageCount,
    messageId: row.messageId,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  }
}

/** `GET /shares/:shareId`: a share link's snapshot, for anyone who has the link. */
export const publicShares = new Hono<AppEnv>().get(
  '/:shareId',
  docs(
    'shares',
    'A shared conversation: its snapshot, without sign-in (`410 share_revoked` once revoked)',
    { 200: { description: 'The snapshot', schema: sharedConversation } },
    { auth: false, rateLimited: true },
  ),
  noIndex,
  rateLimitByAddress(),
  validate('param', shareParam),
  async (c) => {
    const found = await c.var.deps.db.withUser({ role: 'anon' }, (tx) =>
      readShare(tx, c.req.valid('param').shareId),
    )
    if (!found) throw notFound('share')
    if (found.status === 'revoked') {
      throw new AppError('share_revoked', 'this share link was revoked by its owner')
    }
    c.header('Cache-Control', 'no-store')
    const body: SharedConversation = {
      id: found.id,
      title: found.title,
      createdAt: new Date(found.createdAt).toISOString(),
      messages: found.messages,
    }
    return c.json(body)
  },
)

/** `/conversations/:id/shares`: the owner's links to one conversation. */
export const conversationShares = new Hono<AppEnv>()
  .post(
    '/:id/shares',
    docs('shares', 'Share the conversation up to a message (default: the end of its thread)', {
      201: { description: 'The new link', schema: share },
    }),
    validate('param', idParam),
    validate('json', createShareBody),
    async (c) => {
      const row = await c.var.deps.db.withUser(c.var.claims, (tx) =>
        createShare(tx, c.req.valid('param').id, c.req.valid('json')),
      )
      if (!row) throw notFound('conversation')
      // The link's id opens the snapshot: the log names the conversation, never the link.
      recordActivity(c, 'share_created', {
        targetId: row.conversationId,
        meta: { messageCount: row.messageCount },
      })
      return c.json(shareBody(c, row), 201)
    },
  )
  .get(
    '/:id/shares',
    docs('shares', 'The conversation’s share links, newest first, revoked ones included', {
      200: { description: 'OK', schema: shareList },
    }),
    validate('param', idParam),
    async (c) => {
      const rows = await c.var.deps.db.withUser(c.var.claims, (tx) =>
        listShares(tx, c.req.valid('param').id),
      )
      if (!rows) throw notFound('conversation')
      return c.json({ items: rows.map((row) => shareBody(c, row)) })
    },
  )

/** `DELETE /shares/:shareId`: the owner revokes a link for good. */
export const shares = new Hono<AppEnv>().delete(
  '/:shareId',
  docs('shares', 'Revoke a share link; it answers `410 share_revoked` from then on', {
    204: { description: 'Revoked' },
  }),
  validate('param', shareParam),
  async (c) => {
    const row = await c.var.deps.db.withUser(c.var.claims, (tx) =>
      revokeShare(tx, c.req.valid('param').shareId),
    )
    if (!row) throw notFound('share')
    recordActivity(c, 'share_revoked', { targetId: row.conversationId })
    return c.body(null, 204)
  },
)
