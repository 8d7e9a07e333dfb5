import { createHash, randomBytes } from 'node:crypto'

/** How long an invitation to sign up stays valid. */
export const invitationTtlMs = 7 * 24 * 60 * 60 * 1000

export const newInvitationToken = () => randomBytes(32).toString('base64url')

/** Invitations are stored by this hash only (SHA-256, hex). */
export const hashInvitationToken = (token: string) =>
  createHash('sha256').update(token).digest('hex')
