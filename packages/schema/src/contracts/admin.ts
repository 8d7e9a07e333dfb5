import { z } from 'zod'
import { isoDateTime, uuid } from './common.ts'

/** `POST /admin/invitations`: invite one email address to sign up. */
export const createInvitationBody = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email().max(255)),
})
export type CreateInvitationBody = z.infer<typeof createInvitationBody>

/** The invitation as made: `token` and `link` are shown this once and never stored. */
export const createdInvitation = z.object({
  id: uuid,
  email: z.string(),
  token: z.string(),
  link: z.string(),
  expiresAt: isoDateTime,
})
export type CreatedInvitation = z.infer<typeof createdInvitation>

/** `POST /admin/claim`: the bootstrap admin token, as the operator was given it. */
export const claimAdminBody = z.strictObject({ token: z.string().min(1).max(200) })
export type ClaimAdminBody = z.infer<typeof claimAdminBody>

export const claimedAdmin = z.object({ role: z.literal('admin') })
export type ClaimedAdmin = z.infer<typeof claimedAdmin>

/** `POST /admin/users/:id/recovery-link`: a one-time password reset link, shown this once. */
export const recoveryLink = z.object({ link: z.string(), expiresAt: isoDateTime })
export type RecoveryLink = z.infer<typeof recoveryLink>
