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

async function fetchAuthSettings(signal: AbortSignal): Promise<AuthSettings> {
  const response = await fetch(`${config.supabaseUrl}/auth/v1/settings`, {
    headers: { apikey: config.supabaseAnonKey },
    signal,
  })
  if (!response.ok) throw new Error(`auth settings: ${response.status}`)
  return (await response.json()) as AuthSettings
}

export const authSettingsQuery = () =>
  queryOptions({
    queryKey: ['auth-settings'],
    queryFn: ({ signal }) => fetchAuthSettings(signal),
    staleTime: 5 * 60_000,
  })

/** `open` until known: the server refuses what it does not allow anyway. */
export const useSignupMode = (): SignupMode =>
  useQuery({ ...authSettingsQuery(), select: signupModeOf }).data ?? 'open'

/**
 * Whether the auth server is Parley's own (which sends no email) rather than Supabase Auth;
 * undefined until known.
 */
export const useEmbeddedAuth = (): boolean | undefined =>
  useQuery({
    ...authSettingsQuery(),
    select: (settings) => settings.parley_signup !== undefined,
  }).data
