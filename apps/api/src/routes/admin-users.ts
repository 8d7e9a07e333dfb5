import {
  type AdminUserRow,
  getAdminUser,
  listAdminUsers,
  recordAdminChange,
  type Tx,
  updateAdminUser,
} from '@parley/db'
import { formatUsd } from '@parley/llm'
import {
  type AdminUser,
  adminUser,
  adminUserPage,
  adminUsersQuery,
  idParam,
  type UpdateAdminUserBody,
  updateAdminUserBody,
  type VerifiedClaims,
} from '@parley/schema/contracts'
import { Hono } from 'hono'
import type { AppDeps } from '../deps.ts'
import type { AppEnv } from '../env.ts'
import { AppError, notFound } from '../errors.ts'
import { requireAdmin } from '../middleware/require-admin.ts'
import { validate } from '../middleware/validate.ts'
import { recordActivity } from '../observability/activity-log.ts'
import { docs } from './docs.ts'

function toAdminUser(row: AdminUserRow, now = Date.now()): AdminUser {
  return {
    id: row.id,
    email: row.email,
    createdAt: row.createdAt.toISOString(),
    lastSignInAt: row.lastSignInAt?.toISOString() ?? null,
    role: row.role,
    status: row.bannedUntil && row.bannedUntil.getTime() > now ? 'disabled' : 'active',
    spentUsd: formatUsd(row.spentMicroUsd),
    spendPeriod: row.spendPeriod,
  }
}

/** An admin keeps their own role and access, so a team is never left without an admin. */
function refuseSelfLockout(claims: VerifiedClaims, id: string, change: UpdateAdminUserBody) {
  if (id === claims.sub && (change.role === 'user' || change.disabled === true)) {
    throw new AppError(
      'conflict',
      'you cannot remove your own admin role or disable your own account: another admin has to, so the team always keeps one',
    )
  }
}

/**
 * Applies the change and answers the account after it. Embedded auth: one transaction under
 * the admin's claims (`admin_update_user` checks `is_admin()`). Supabase Auth owns its users, so
 * there the change goes through its admin API with the service role key, after the admin's own
 * claims have shown the account exists.
 */
async function changeUser(
  deps: AppDeps,
  claims: VerifiedClaims,
  id: string,
  change: UpdateAdminUserBody,
): Promise<AdminUserRow | null> {
  const { db, budget } = deps
  if (deps.config.mode === 'embedded') {
    return db.withUser(claims, async (tx) => {
      const before = await getAdminUser(tx, id, budget)
      if (!before || !(await updateAdminUser(tx, id, change))) return null
      const after = await getAdminUser(tx, id, budget)
      if (after) await auditUserChange(tx, before, after)
      return after
    })
  }
  if (!deps.supabaseAdmin) {
    throw new AppError(
      'service_unavailable',
      'changing accounts with Supabase Auth needs SUPABASE_SERVICE_ROLE_KEY on the API server',
    )
  }
  const existing = await db.withUser(claims, (tx) => getAdminUser(tx, id, budget))
  if (!existing || !(await deps.supabaseAdmin.updateUser(id, change))) return null
  return db.withUser(claims, async (tx) => {
    const after = await getAdminUser(tx, id, budget)
    if (after) await auditUserChange(tx, existing, after)
    return after
  })
}

const auditedUser = (row: AdminUserRow) => ({
  email: row.email,
  role: row.role,
  disabled: row.bannedUntil !== null && row.bannedUntil.getTime() > Date.now(),
})

/** Every change of an account is in the admin audit, with the state before and after. */
async function auditUserChange(tx: Tx, before: AdminUserRow, after: AdminUserRow) {
  await recordAdminChange(tx, {
    action: 'user.change',
    targetType: 'user',
    targetId: after.id,
    before: auditedUser(before),
    after: auditedUser(after),
  })
}

/** Accounts, for admins: read under the admin's own claims through `is_admin()` in SQL. */
export const adminUsers = new Hono<AppEnv>()
  .use('*', requireAdmin)
  .get(
    '/',
    docs('admin', 'Accounts with role, status and spend this period, searched by email (admins)', {
      200: { description: 'One page, newest accounts first', schema: adminUserPage },
    }),
    validate('query', adminUsersQuery),
    async (c) => {
      const { q, cursor, limit } = c.req.valid('query')
      const page = await c.var.deps.db.withUser(c.var.claims, (tx) =>
        listAdminUsers(
          tx,
          { limit, ...(q ? { query: q } : {}), ...(cursor ? { cursor } : {}) },
          c.var.deps.budget,
        ),
      )
      const now = Date.now()
      return c.json({
        items: page.items.map((row) => toAdminUser(row, now)),
        nextCursor: page.nextCursor,
      })
    },
  )
  .patch(
    '/:id',
    docs(
      'admin',
      'Give or take the admin role (from the user’s next token refresh), or disable or enable an account (at once) (admins)',
      { 200: { description: 'The account after the change', schema: adminUser } },
    ),
    validate('param', idParam),
    validate('json', updateAdminUserBody),
    async (c) => {
      const { id } = c.req.valid('param')
      const change = c.req.valid('json')
      refuseSelfLockout(c.var.claims, id, change)
      const row = await changeUser(c.var.deps, c.var.claims, id, change)
      if (!row) throw notFound('user')
      c.var.deps.turns.changed({ userId: id })
      recordActivity(c, 'user_changed', {
        targetId: id,
        meta: {
          ...(change.role ? { role: change.role } : {}),
          ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
        },
      })
      return c.json(toAdminUser(row))
    },
  )
