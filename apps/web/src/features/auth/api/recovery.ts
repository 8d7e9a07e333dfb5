import { supabase } from '../../../lib/supabase.ts'

/**
 * Signs in with the reset link this page was opened from, if any: Parley's embedded auth puts
 * `token_hash` in the fragment, Supabase Auth (implicit flow) the session itself. The fragment
 * is cleared first, so the one-time secret stays out of the history. Null when there was no
 * link; the error from the auth server when the link did not work.
 */
export async function signInFromResetLink(): Promise<{ error: unknown } | null> {
  const fragment = new URLSearchParams(window.location.hash.slice(1))
  if (fragment.get('type') !== 'recovery') return null
  window.history.replaceState(null, '', window.location.pathname)
  const tokenHash = fragment.get('token_hash')
  const accessToken = fragment.get('access_token')
  const refreshToken = fragment.get('refresh_token')
  if (tokenHash) {
    const { error } = await supabase.auth.verifyOtp({ token_hash: tokenHash, type: 'recovery' })
    return { error }
  }
  if (accessToken && refreshToken) {
    const { error } = await supabase.auth.setSession({
      access_token: accessToken,
      refresh_token: refreshToken,
    })
    return { error }
  }
  return { error: new Error('The reset link is incomplete.') }
}

/** Supabase Auth emails a reset link to the address (if it has an account there). */
export async function emailResetLink(email: string): Promise<void> {
  const { error } = await supabase.auth.resetPasswordForEmail(email, {
    redirectTo: `${window.location.origin}/reset-password`,
  })
  if (error) throw error
}
