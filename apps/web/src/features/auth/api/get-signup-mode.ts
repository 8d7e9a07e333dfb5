import { queryOptions, useQuery } from '@tanstack/react-query'
import { config } from '../../../config.ts'

/** How this server lets people sign up, as the sign-up and sign-in pages need to know it. */
export type SignupMode = 'open' | 'invite' | 'closed'

interface AuthSettings {
  disable_signup?: boolean
  /** Parley's embedded auth says which of its modes it runs. */
  parley_signup?: 'open' | 'domains' | 'invite' | 'closed'
}

export function signupModeOf(settings: AuthSettings): SignupMode {
  if (settings.parley_signup === 'invite' || settings.parley_signup === 'closed') {
    return settings.parley_signup
  }
  return settings.disable_signup ? 'closed' : 'open'
}

async function fetchSignupMode(signal: AbortSignal): Promise<SignupMode> {
  const response = await fetch(`${config.supabaseUrl}/auth/v1/settings`, {
    headers: { apikey: config.supabaseAnonKey },
    signal,
  })
  if (!response.ok) throw new Error(`auth settings: ${response.status}`)
  return signupModeOf((await response.json()) as AuthSettings)
}

export const signupModeQuery = () =>
  queryOptions({
    queryKey: ['auth-settings', 'signup-mode'],
    queryFn: ({ signal }) => fetchSignupMode(signal),
    staleTime: 5 * 60_000,
  })

/** `open` until known: the server refuses what it does not allow anyway. */
export const useSignupMode = (): SignupMode => useQuery(signupModeQuery()).data ?? 'open'
