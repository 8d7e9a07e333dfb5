import { z } from 'zod'
import { budgetPeriod } from './budgets.ts'
import { cursor, isoDateTime, uuid } from './common.ts'

export const adminUserRole = z.enum(['admin', 'user'])
export type AdminUserRole = z.infer<typeof adminUserRole>

/** `GET /admin/users`: accounts newest first, `q` matched anywhere in the email. */
export const adminUsersQuery = z.strictObject({
  q: z.string().trim().max(255).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: cursor.optional(),
})
export type AdminUsersQuery = z.input<typeof adminUsersQuery>

/** One account as an admin sees it. */
export const adminUser = z.object({
  id: uuid,
  email: z.string(),
  createdAt: isoDateTime,
  lastSignInAt: isoDateTime.nullable(),
  role: adminUserRole,
  /** Disabled accounts cannot sign in, refresh or use a token they already hold. */
  status: z.enum(['active', 'disabled']),
  /** What the user's model calls cost since the start of their budget period (UTC), in USD. */
  spentUsd: z.string(),
  spendPeriod: budgetPeriod,
})
export type AdminUser = z.infer<typeof adminUser>

export const adminUserPage = z.object({ items: z.array(adminUser), nextCursor: cursor.nullable() })
export type AdminUserPage = z.infer<typeof adminUserPage>

/**
 * `PATCH /admin/users/:id`: give or take the admin role (it reaches the user's token at its next
 * refresh), disable or enable the account (at once).
 */
export const updateAdminUserBody = z
  .strictObject({ role: adminUserRole.optional(), disabled: z.boolean().optional() })
  .refine((body) => body.role !== undefined || body.disabled !== undefined, {
    message: 'give role, disabled or both',
  })
export type UpdateAdminUserBody = z.infer<typeof updateAdminUserBody>
