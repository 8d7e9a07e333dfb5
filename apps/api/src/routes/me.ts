import {
  authStore,
  forgetOwnerOriginalDeletions,
  getOwnProfile,
  type ProfileRow,
  updateOwnProfile,
} from '@parley/db'
import {
  deleteAccountBody,
  type Me,
  me as meSchema,
  updateProfileBody,
} from '@parley/schema/contracts'
import { Hono } from 'hono'
import type { AppEnv } from '../env.ts'
import { AppError, notFound, safeError } from '../errors.ts'
import { isAdminClaims } from '../middleware/require-admin.ts'
import { validate } from '../middleware/validate.ts'
import { recordActivity } from '../observability/activity-log.ts'
import { docs } from './docs.ts'

const toMe = (profile: ProfileRow, claims: AppEnv['Variables']['claims']) =>
  ({
    ...profile,
    role: isAdminClaims(claims) ? ('admin' as const) : ('user' as const),
  }) satisfies Record<keyof Me, unknown>

export const me = new Hono<AppEnv>()
  .get(
    '/',
    docs('profile', 'The caller’s profile', { 200: { description: 'OK', schema: meSchema } }),
    async (c) => {
      const profile = await c.var.deps.db.withUser(c.var.claims, getOwnProfile)
      if (!profile) throw notFound('profile')
      return c.json(toMe(profile, c.var.claims))
    },
  )
  .patch(
    '/',
    docs('profile', 'Change display name, default model, theme or settings', {
      200: { description: 'Updated', schema: meSchema },
    }),
    validate('json', updateProfileBody),
    async (c) => {
      const patch = c.req.valid('json')
      if (patch.defaultModel) c.var.deps.models.resolve(patch.defaultModel)
      const profile = await c.var.deps.db.withUser(c.var.claims, (tx) =>
        updateOwnProfile(tx, patch),
      )
      if (!profile) throw notFound('profile')
      c.var.deps.turns.changed({ userId: c.var.claims.sub })
      return c.json(toMe(profile, c.var.claims))
    },
  )
  .delete(
    '/',
    docs(
      'profile',
      'Delete the caller’s account and everything in it (usage is kept, anonymised)',
      {
        204: { description: 'Deleted' },
      },
    ),
    validate('json', deleteAccountBody),
    async (c) => {
      const { confirmEmail } = c.req.valid('json')
      const { db } = c.var.deps
      const profile = await db.withUser(c.var.claims, getOwnProfile)
      if (!profile) throw notFound('profile')
      if (!profile.email || confirmEmail.toLowerCase() !== profile.email.toLowerCase()) {
        throw new AppError('validation_error', 'confirmEmail must be the account’s email address')
      }
      // The one write outside the caller's row-level security: the auth user row. Profile,
      // conversations, messages, feedback and sessions go with it by cascade; usage rows stay,
      // their user set to null.
      await db.asService((tx) => authStore.deleteAuthUser(tx, c.var.claims.sub))
      c.var.deps.turns.changed({ userId: c.var.claims.sub })
      recordActivity(c, 'account_deleted', { targetId: c.var.claims.sub })
      // After the commit: the account is gone whatever happens here; what is left, the sweep of
      // deleted owners' originals removes later.
      await c.var.deps.files.storage
        .deleteOwner(c.var.claims.sub)
        .then(() => forgetOwnerOriginalDeletions(c.var.deps.db, c.var.claims.sub))
        .catch((error: unknown) =>
          c.var.logger.error(
            { err: safeError(error) },
            'deleting the originals of a deleted account failed',
          ),
        )
      return c.body(null, 204)
    },
  )
