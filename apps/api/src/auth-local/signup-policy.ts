import { GoTrueError } from './gotrue-error.ts'

/** Who may create an account on the embedded auth server (`PARLEY_SIGNUP`). */
export type SignupPolicy =
  | { mode: 'open' }
  | { mode: 'domains'; domains: readonly string[] }
  | { mode: 'invite' }
  | { mode: 'closed' }

export type SignupMode = SignupPolicy['mode']

/** Throws the GoTrue error for a sign-up the policy refuses before anything is stored. */
export function checkSignupAllowed(
  policy: SignupPolicy,
  email: string,
  invitationToken: string | undefined,
): void {
  if (policy.mode === 'closed') throw signupDisabled()
  if (policy.mode === 'invite' && !invitationToken) {
    throw new GoTrueError(422, 'signup_disabled', 'Signups need an invitation on this server')
  }
  if (policy.mode === 'domains') {
    const domain = email.slice(email.lastIndexOf('@') + 1)
    if (!policy.domains.includes(domain)) {
      throw new GoTrueError(
        422,
        'email_address_not_authorized',
        'Signups are limited to some email domains on this server',
      )
    }
  }
}

export const signupDisabled = () =>
  new GoTrueError(422, 'signup_disabled', 'Signups not allowed for this instance')

export const invitationNotFound = () =>
  new GoTrueError(
    422,
    'invite_not_found',
    'The invitation is unknown, used, expired or for another email address',
  )
