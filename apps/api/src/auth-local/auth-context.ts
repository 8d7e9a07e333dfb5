import { type Database, rateLimits } from '@parley/db'
import type { VerifiedClaims } from '@parley/schema/contracts'
import type { Context } from 'hono'
import type { TokenVerifier } from '../auth/verify-token.ts'
import { clientAddress, type TrustedProxies } from '../client-address.ts'
import type { LimitSettings } from '../config.ts'
import { bearerToken } from '../middleware/authenticate.ts'
import type { ActivityEvent, ErrorEvent, RecordedLog } from '../observability/activity-log.ts'
import type { RateLimiter } from '../services/rate-limits.ts'
import { GoTrueError } from './gotrue-error.ts'
import type { LocalAuthSettings } from './sessions.ts'

export interface LocalAuthDeps {
  db: Database
  settings: LocalAuthSettings
  verifier: TokenVerifier
  limiter: RateLimiter
  limits: LimitSettings
  trustedProxies: TrustedProxies
  now?: () => number
  /** Sign-ins, sign-outs and password changes are recorded here. */
  activity?: RecordedLog<ActivityEvent> | undefined
  /** Unexpected failures (500) are recorded here. */
  errors?: RecordedLog<ErrorEvent> | undefined
}

/** What every embedded auth route shares: its dependencies and the checks they make. */
export interface AuthRoutes {
  deps: LocalAuthDeps
  now: () => number
  /** Failed sign-ins per (email, client address), with their growing waits. */
  signIns: SignInDelays
  /** The client's address, through the trusted proxies. */
  address(c: Context): string
  /** Counts the request against the per-address limit; GoTrue's 429 beyond it. */
  limitClient(c: Context): Promise<void>
  /** The verified claims of the request's bearer token, or GoTrue's 401/403. */
  userClaims(c: Context): Promise<VerifiedClaims>
  record(
    c: Context,
    type: 'sign_in' | 'sign_out' | 'password_changed',
    userId: string,
    meta: Record<string, string>,
  ): void
}

export function authRoutes(deps: LocalAuthDeps): AuthRoutes {
  const address = (c: Context) => clientAddress(c, deps.trustedProxies)
  return {
    deps,
    now: deps.now ?? Date.now,
    signIns: signInDelays(deps),
    address,
    async limitClient(c) {
      const policy = { name: 'auth', quota: deps.limits.authRequestsPerMinute, windowSeconds: 60 }
      const [decision] = await deps.limiter.hit([policy], address(c))
      if (decision && !decision.allowed) throw rateLimited(decision.resetSeconds)
    },
    async userClaims(c) {
      const token = bearerToken(c.req.header('authorization'))
      if (!token)
        throw new GoTrueError(401, 'no_authorization', 'This endpoint requires a Bearer token')
      try {
        return await deps.verifier.verify(token)
      } catch {
        throw new GoTrueError(403, 'bad_jwt', 'invalid JWT: unable to parse or verify signature')
      }
    },
    record(c, type, userId, meta) {
      deps.activity?.record({ type, userId, meta, requestId: requestIdOf(c), ip: address(c) })
    },
  }
}

/** The id the request-id middleware gave this request (the auth sub-app's context is untyped). */
export function requestIdOf(c: Context): string | null {
  const id: unknown = c.get('requestId')
  return typeof id === 'string' ? id : null
}

/** GoTrue's 429; the message names the real wait, which supabase-js passes on to the app. */
const rateLimited = (seconds: number) =>
  new GoTrueError(
    429,
    'over_request_rate_limit',
    `Too many requests. Try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`,
    { retryAfterSeconds: seconds },
  )

type SignInDelays = ReturnType<typeof signInDelays>

/**
 * Failed sign-ins counted per (email, client address), in the database so every instance sees
 * them: after the free ones each failure doubles the wait for that pair only, so someone
 * guessing a password from elsewhere never locks its owner out of their own address.
 */
function signInDelays({ db, limiter, limits }: LocalAuthDeps) {
  const policy = {
    free: limits.signIn.freeFailures,
    maxSeconds: limits.signIn.maxDelaySeconds,
    forgetSeconds: 86_400,
  }
  const waitFor = (until: Date, at: Date) =>
    Math.max(1, Math.ceil((until.getTime() - at.getTime()) / 1000))
  return {
    key: (email: string, address: string) => limiter.key('signin', `${address}:${email}`),
    async check(key: string) {
      const at = limiter.now()
      const until = await rateLimits.blockedUntil(db, { key, at })
      if (until) throw rateLimited(waitFor(until, at))
    },
    async fail(key: string) {
      await rateLimits.recordFailure(db, { key, at: limiter.now(), policy })
    },
    succeed: (key: string) => rateLimits.clearRateLimit(db, key),
  }
}
