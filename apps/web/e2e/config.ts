/** The stack's operator token: presenting it (`POST /api/v1/admin/claim`) makes a user admin. */
export const bootstrapAdminToken = 'e2e-bootstrap-admin-token-0123456789'

/** Debian's Chromium; never a downloaded browser. */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

export interface Stack {
  /** The API, which also serves the built SPA. */
  baseUrl: string
  /** The fake upstream's origin, for its `/__fake/*` controls. */
  upstreamUrl: string
}

/** Settings of the developer's own Parley or providers, which must not leak into a test run. */
const parleySettings = /^(PARLEY_|OPENAI_|ANTHROPIC_|DATABASE_|SUPABASE_|CORS_|PORT$|HOST$)/

/** The environment of the API process: this one's without Parley settings, plus the run's. */
export function apiEnvironment(settings: Record<string, string>): Record<string, string> {
  const inherited: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !parleySettings.test(key)) inherited[key] = value
  }
  return { ...inherited, ...settings }
}

/** Hands the stack's addresses from the global setup to the test workers, which inherit them. */
export function publishStack(stack: Stack) {
  process.env.PARLEY_E2E_BASE_URL = stack.baseUrl
  process.env.PARLEY_E2E_UPSTREAM_URL = stack.upstreamUrl
}

export function readStack(): Stack {
  const baseUrl = process.env.PARLEY_E2E_BASE_URL
  const upstreamUrl = process.env.PARLEY_E2E_UPSTREAM_URL
  if (!baseUrl || !upstreamUrl) {
    throw new Error('The e2e stack is not running: start the tests with `pnpm test:e2e`.')
  }
  return { baseUrl, upstreamUrl }
}
