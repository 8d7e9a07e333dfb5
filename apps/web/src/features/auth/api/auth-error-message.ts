import { isAuthError, isAuthWeakPasswordError } from '@supabase/supabase-js'

const messages: Record<string, string> = {
  invalid_credentials: 'That email and password do not match an account.',
  user_already_exists: 'An account with this email already exists. Sign in instead.',
  email_exists: 'An account with this email already exists. Sign in instead.',
  weak_password: 'Choose a stronger password: at least 8 characters.',
  over_email_send_rate_limit: 'Too many attempts. Wait a minute, then try again.',
  email_address_invalid: 'Enter a valid email address.',
  validation_failed: 'Check the email address and password.',
  signup_disabled: 'New sign-ups are turned off on this server.',
  invite_not_found:
    'That invitation is unknown, used, expired or for another email address. Ask for a new one.',
  email_address_not_authorized: 'Sign-ups here are limited to some email domains.',
  user_banned: 'This account is disabled.',
  otp_expired: 'This reset link was used already or has expired. Ask for a new one.',
  same_password: 'Choose a password different from the old one.',
  current_password_required:
    'Open the reset link again to choose a new password, or change it in Settings with the current one.',
}

/** A sentence for the person at the form, from whatever supabase-js threw or returned. */
export function authErrorMessage(error: unknown): string {
  if (isAuthWeakPasswordError(error) && error.reasons.length > 0) {
    return `Choose a stronger password (${error.reasons.join(', ').replaceAll('_', ' ')}).`
  }
  if (isAuthError(error)) {
    if (error.code === 'over_request_rate_limit') return tooManyAttempts(error.message)
    if (error.code && messages[error.code]) return messages[error.code] as string
    if (error.status === 0 || error.name === 'AuthRetryableFetchError') {
      return 'Parley could not reach the server. Check your connection and try again.'
    }
    return error.message || 'Signing in did not work. Try again.'
  }
  return 'Signing in did not work. Try again.'
}

/**
 * The server says how long to wait ("Try again in 12 seconds.", the same as its `Retry-After`,
 * which supabase-js does not pass on): repeat it rather than guess.
 */
function tooManyAttempts(serverMessage: string): string {
  const seconds = Number(/in (\d+) seconds?/.exec(serverMessage)?.[1])
  if (!Number.isFinite(seconds) || seconds <= 0)
    return 'Too many attempts. Wait a little, then try again.'
  const wait =
    seconds < 90
      ? `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`
      : `${Math.ceil(seconds / 60)} minutes`
  return `Too many attempts. Try again in ${wait}.`
}
