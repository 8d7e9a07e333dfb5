const env = import.meta.env

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '')

/** Build-time configuration; every value has a default that fits `pnpm start` (one origin). */
export const config = {
  apiUrl: withoutTrailingSlash(env.VITE_API_URL || window.location.origin),
  supabaseUrl: withoutTrailingSlash(env.VITE_SUPABASE_URL || window.location.origin),
  supabaseAnonKey: env.VITE_SUPABASE_ANON_KEY || 'parley-embedded-auth',
}
