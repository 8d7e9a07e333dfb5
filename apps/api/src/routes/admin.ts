import { feedbackByModel as countFeedback, createInvitation, listRecentFeedback } from '@parley/db'
import {
  claimAdminBody,
  claimedAdmin,
  createdInvitation,
  createInvitationBody,
  feedbackByModel,
  idParam,
  recentFeedbackPage,
  recentFeedbackQuery,
  recoveryLink,
} from '@parley/schema/contracts'
import { type Context, Hono } from 'hono'
import {
  hashInvitationToken,
  invitationTtlMs,
  newInvitationToken,
} from '../auth-local/invitations.ts'
import { createRecoveryLink } from '../auth-local/recovery.ts'
import type { AppEnv } from '../env.ts'
import { AppError, notFound } from '../errors.ts'
import { requireAdmin } from '../middleware/require-admin.ts'
import { validate } from '../middleware/validate.ts'
import { recordActivity } from '../observability/activity-log.ts'
import { claimAdmin } from '../services/admin-claim.ts'
import { docs } from './docs.ts'

export const admin = new Hono<AppEnv>()
  .post(
    '/claim',
    docs('admin', 'Become admin by presenting the bootstrap admin token (embedded auth)', {
      200: { description: 'The next refreshed token carries the admin role', schema: claimedAdmin },
    }),
    validate('json', claimAdminBody),
    async (c) => {
      const { deps, claims } = c.var
      if (deps.config.mode === 'supabase') {
        throw new AppError(
          'forbidden',
          'with Supabase Auth, admins are made in the Supabase dashboard: set app_metadata.role to "admin"',
        )
      }
      await claimAdmin(deps.db, deps.bootstrapAdmin, claims, c.req.valid('json').token)
      return c.json({ role: 'admin' as const })
    },
  )
  .post(
    '/invitations',
    docs('admin', 'Invite an email address to sign up (admins, PARLEY_SIGNUP=invite)', {
      201: { description: 'The token and link are shown only now', schema: createdInvitation },
    }),
    validate('json', createInvitationBody),
    async (c) => {
      const { deps, claims } = c.var
      if (claims.app_metadata?.role !== 'admin') throw new AppError('forbidden', 'admins only')
      if (deps.localAuth?.signup.mode !== 'invite') {
        throw new AppError('conflict', 'invitations are used only when PARLEY_SIGNUP=invite')
      }
      const token = newInvitationToken()
      const row = await deps.db.withUser(claims, (tx) =>
        createInvitation(tx, {
          email: c.req.valid('json').email,
          tokenHash: hashInvitationToken(token),
          expiresAt: new Date(Date.now() + invitationTtlMs),
        }),
      )
      recordActivity(c, 'invitation_created', { targetId: row.id })
      const link = `${webOrigin(c)}/sign-up?invitation=${encodeURIComponent(token)}`
      return c.json(
        { id: row.id, email: row.email, token, link, expiresAt: row.expiresAt.toISOString() },
        201,
      )
    },
  )
  .post(
    '/users/:id/recovery-link',
    requireAdmin,
    docs('admin', 'A one-time password reset link for a user, to hand over (embedded auth)', {
      201: {
        description: 'The link works once, within an hour; shown only now',
        schema: recoveryLink,
      },
    }),
    validate('param', idParam),
    async (c) => {
      if (c.var.deps.config.mode === 'supabase') {
        throw new AppError(
          'conflict',
          'with Supabase Auth, people reset their password themselves: "Forgot password?" on the sign-in page emails them a link',
        )
      }
      const created = await createRecoveryLink(c.var.deps.db, c.req.valid('param').id, webOrigin(c))
      if (!created) throw notFound('user')
      return c.json(created, 201)
    },
  )
  .get(
    '/feedback',
    requireAdmin,
    docs('admin', 'Satisfaction per model: up and down votes across every user (admins)', {
      200: { description: 'OK', schema: feedbackByModel },
    }),
    async (c) => {
      const items = await c.var.deps.db.withUser(c.var.claims, countFeedback)
      return c.json({ items })
    },
  )
  .get(
    '/feedback/recent',
    requireAdmin,
    docs('admin', 'The newest votes with their reasons and comments, across every user (admins)', {
      200: { description: 'A page, newest first', schema: recentFeedbackPage },
    }),
    validate('query', recentFeedbackQuery),
    async (c) => {
      const found = await c.var.deps.db.withUser(c.var.claims, (tx) =>
        listRecentFeedback(tx, c.req.valid('query')),
      )
      return c.json({
        items: found.items.map((row) => ({
          messageId: row.messageId,
          userId: row.userId,
          model: row.model,
          vote: row.vote,
          reasons: row.reasons,
          comment: row.comment,
          updatedAt: row.updatedAt.toISOString(),
        })),
        nextCursor: found.nextCursor,
      })
    },
  )

/** Where the web app is: the admin's own page when it is an allowed origin, else this server. */
function webOrigin(c: Context<AppEnv>): string {
  const origin = c.req.header('origin')
  if (origin && c.var.deps.config.corsOrigins.includes(origin)) return origin
  return new URL(c.req.url).origin
}
