/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Origin of the Parley API; defaults to the page's origin. */
  readonly VITE_API_URL?: string
  /** Supabase project URL, or the API's origin when it serves `/auth/v1` itself (embedded mode). */
  readonly VITE_SUPABASE_URL?: string
  /** Supabase anon (publishable) key; the embedded auth ignores it. */
  readonly VITE_SUPABASE_ANON_KEY?: string
}

interface ImportMeta {
  readonly env: ImportMetaEnv
}
