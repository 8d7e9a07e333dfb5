import { createClient } from '@supabase/supabase-js'
import { config } from '../config.ts'

/** Auth only: Parley's data goes through its own API, never through PostgREST. */
export const supabase = createClient(config.supabaseUrl, config.supabaseAnonKey, {
  auth: {
    persistSession: true,
    autoRefreshToken: true,
    detectSessionInUrl: false,
    storageKey: 'parley.auth',
  },
})

export async function accessToken(): Promise<string | null> {
  const { data } = await supabase.auth.getSession()
  return data.session?.access_token ?? null
}
