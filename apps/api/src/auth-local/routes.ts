import {
  authStore,
  consumeInvitation,
  type Database,
  DbError,
  rateLimits,
  type Tx,
} from '@parley/db'
import { minPasswordLength } from '@parley/schema/limits'
import { type Context, Hono } from 'hono'
import { z } from 'zod'
import type { TokenVerifier } from '../auth/verify-token.ts'
import { clientAddress, type TrustedProxies } from '../client-address.ts'
import type { LimitSettings } from '../config.ts'
import { bearerToken } from '../middleware/authenticate.ts'
import {
  type ActivityEvent,
  type ErrorEvent,
  type RecordedLog,
  routeOf,
} from '../observability/activity-log.ts'
import type { RateLimiter } from '../services/rate-limits.ts'
import { apiVersion, GoTrueError } from './gotrue-error.ts'
import { hashInvitationToken } from './invitations.ts'
import { decoyHash, hashPassword, verifyPassword } from './passwords.ts'
import { inRecoveryWindow, recoveryRoutes } from './recovery.ts'
import { isBanned, refreshRefused, rotateRefreshToken } from './refresh.ts'
import { type LocalAuthSettings, sessionJson, startSession, userJson } from './sessions.ts'
import {
  checkSignupAllowed,
  invitationNotFound,
  type SignupPolicy,
  signupDisabled,
} from './signup-policy.ts'

export { minPasswordLength }

const email = z.string().trim().toLowerCase().pipe(z.email().max(255))
const signupBody = z.looseObject({
  email,
  password: z.string().max(1024),
  data: z.record(z.string(), z.unknown()).optional(),
})
const invitationToken = z.string().min(1).max(200).optional()
const passwordGrant = z.looseObject({ email, password: z.string().max(1024) })
const refreshGrant = z.looseObject({ refresh_token: z.string().min(1).max(200) })
/** supabase-js `updateUser`: the embedded auth changes only the password, and wants the current one. */
const userUpdate = z.looseObject({
  password: z.string().max(1024),
  current_password: z.string().max(1024).optional(),
})

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

/**
 * The Supabase Auth (GoTrue) endpoints `@supabase/supabase-js` uses for email and password,
 * served by Parley itself in embedded mode under `/auth/v1`.
 */
export function localAuthRoutes(deps: LocalAuthDeps) {
  const { db, settings, verifier } = deps
  const now = deps.now ?? Date.now
  const signIns = signInDelays(deps)
  const record = (
    c: Context,
    type: 'sign_in' | 'sign_out' | 'password_changed',
    userId: string,
    meta: Record<string, string>,
  ) => {
    deps.activity?.record({
      type,
      userId,
      meta,
      requestId: requestIdOf(c),
      ip: clientAddress(c, deps.trustedProxies),
    })
  }

  const app = new Hono()

  app.onError((error, c) => {
    c.header('X-Supabase-Api-Version', apiVersion)
    if (error instanceof GoTrueError) {
      if (error.retryAfterSeconds) c.header('Retry-After', String(error.retryAfterSeconds))
      return c.json({ code: error.code, message: error.message, ...error.extra }, error.status)
    }
    deps.errors?.record({
      source: 'server',
      severity: 'error',
      code: 'internal_error',
      message: 'Unexpected failure',
      requestId: requestIdOf(c),
      method: c.req.method,
      route: routeOf(c),
      status: 500,
    })
    return c.json({ code: 'unexpected_failure', message: 'Unexpected failure' }, 500)
  })

  app.use(async (c, next) => {
    await next()
    c.header('X-Supabase-Api-Version', apiVersion)
    c.header('Cache-Control', 'no-store')
  })

  const limitClient = async (c: Context) => {
    const policy = { name: 'auth', quota: deps.limits.authRequestsPerMinute, windowSeconds: 60 }
    const [decision] = await deps.limiter.hit([policy], clientAddress(c, deps.trustedProxies))
    if (decision && !decision.allowed) throw rateLimited(decision.resetSeconds)
  }

  app.get('/.well-known/jwks.json', (c) => {
    c.header('Cache-Control', 'public, max-age=600')
    return c.json(settings.signingKey.jwks)
  })

  app.get('/settings', (c) =>
    c.json({
      external: { email: true, phone: false },
      disable_signup: settings.signup.mode === 'closed' || settings.signup.mode === 'invite',
      parley_signup: settings.signup.mode,
      mailer_autoconfirm: true,
      phone_autoconfirm: false,
      sms_provider: '',
      saml_enabled: false,
    }),
  )

  app.post('/signup', async (c) => {
    await limitClient(c)
    const body = parse(signupBody, await readJson(c))
    const { invitation, metadata } = splitInvitation(body.data)
    checkSignupAllowed(settings.signup, body.email, invitation)
    checkPasswordStrength(body.password)
    const encryptedPassword = await hashPassword(body.password)
    const user = await db
      .asService(async (tx) => {
        const created = await authStore.insertAuthUser(tx, {
          email: body.email,
          encryptedPassword,
          appMetadata: { provider: 'email', providers: ['email'] },
          userMetadata: metadata,
        })
        await admitInvited(tx, settings.signup, { email: body.email, invitation, id: created.id })
        await authStore.recordSignIn(tx, created.id)
        return created
      })
      .catch((error: unknown) => {
        if (error instanceof DbError && error.code === 'conflict') {
          throw new GoTrueError(422, 'user_already_exists', 'User already registered')
        }
        throw error
      })
    record(c, 'sign_in', user.id, { method: 'signup' })
    return c.json(await startSession(db, settings, user, c.req.header('user-agent')))
  })

  app.post('/token', async (c) => {
    const grant = c.req.query('grant_type')
    if (grant === 'password') return c.json(await passwordSignIn(c))
    if (grant === 'refresh_token') return c.json(await refresh(c))
    throw new GoTrueError(400, 'validation_failed', 'Unsupported grant type')
  })

  async function passwordSignIn(c: Context) {
    await limitClient(c)
    const body = parse(passwordGrant, await readJson(c))
    const attempt = signIns.key(body.email, clientAddress(c, deps.trustedProxies))
    await signIns.check(attempt)

    const found = await db.asService((tx) => authStore.findAuthUserByEmail(tx, body.email))
    const valid = await verifyPassword(body.password, found?.encryptedPassword ?? (await decoyHash))
    if (!found || !valid || found.deletedAt || isBanned(found.bannedUntil, now)) {
      await signIns.fail(attempt)
      throw new GoTrueError(400, 'invalid_credentials', 'Invalid login credentials')
    }
    await signIns.succeed(attempt)
    await db.asService((tx) => authStore.recordSignIn(tx, found.id))
    record(c, 'sign_in', found.id, { method: 'password' })
    return startSession(db, settings, found, c.req.header('user-agent'))
  }

  async function refresh(c: Context) {
    await limitClient(c)
    const { refresh_token: presented } = parse(refreshGrant, await readJson(c))
    const outcome = await rotateRefreshToken(db, settings, presented, now)
    if (outcome.kind !== 'rotated') throw refreshRefused(outcome)
    return sessionJson(settings, outcome.user, outcome.sessionId, outcome.refreshToken)
  }

  app.get('/user', async (c) => {
    const claims = await userClaims(c)
    const user = await db.asService((tx) => authStore.getAuthUser(tx, claims.sub))
    if (!user)
      throw new GoTrueError(404, 'user_not_found', 'User from sub claim in JWT does not exist')
    return c.json(userJson(user))
  })

  /**
   * Changes the password (GoTrue's `PUT /user`, with its "require the current password" setting
   * on): a wrong current password counts as a failed sign-in, and every other session ends.
   */
  app.put('/user', async (c) => {
    const claims = await userClaims(c)
    const body = parse(userUpdate, await readJson(c))
    const user = await db.asService((tx) => authStore.getAuthUser(tx, claims.sub))
    if (!user?.email || !user.encryptedPassword)
      throw new GoTrueError(404, 'user_not_found', 'User from sub claim in JWT does not exist')
    // A reset link's session may set a new password without the old one, for a short while.
    const recovering = inRecoveryWindow(claims, now())
    if (!body.current_password && !recovering) {
      throw new GoTrueError(400, 'current_password_required', 'Current password required')
    }
    const attempt = signIns.key(user.email, clientAddress(c, deps.trustedProxies))
    await signIns.check(attempt)
    if (
      body.current_password !== undefined &&
      !(await verifyPassword(body.current_password, user.encryptedPassword))
    ) {
      await signIns.fail(attempt)
      throw new GoTrueError(400, 'current_password_mismatch', 'Current password is incorrect')
    }
    checkPasswordStrength(body.password)
    const unchanged = recovering
      ? await verifyPassword(body.password, user.encryptedPassword)
      : body.password === body.current_password
    if (unchanged) {
      throw new GoTrueError(
        422,
        'same_password',
        'New password should be different from the old password.',
      )
    }
    const encryptedPassword = await hashPassword(body.password)
    const sessionId = typeof claims.session_id === 'string' ? claims.session_id : undefined
    const updated = await db.asService(async (tx) => {
      await authStore.setPassword(tx, user.id, encryptedPassword)
      await authStore.deleteUserSessions(tx, user.id, { except: sessionId })
      return authStore.getAuthUser(tx, user.id)
    })
    await signIns.succeed(attempt)
    record(c, 'password_changed', user.id, {})
    return c.json(userJson(updated ?? user))
  })

  app.post('/logout', async (c) => {
    const claims = await userClaims(c)
    const scope = c.req.query('scope') ?? 'global'
    const sessionId = typeof claims.session_id === 'string' ? claims.session_id : undefined
    await db.asService(async (tx) => {
      if (scope === 'local') {
        if (sessionId) await authStore.deleteSession(tx, sessionId)
      } else if (scope === 'others') {
        await authStore.deleteUserSessions(tx, claims.sub, { except: sessionId })
      } else {
        await authStore.deleteUserSessions(tx, claims.sub)
      }
    })
    record(c, 'sign_out', claims.sub, {
      scope: scope === 'local' || scope === 'others' ? scope : 'global',
    })
    return c.body(null, 204)
  })

  recoveryRoutes(app, { db, settings, limit: limitClient })

  async function userClaims(c: Context) {
    const token = bearerToken(c.req.header('authorization'))
    if (!token)
      throw new GoTrueError(401, 'no_authorization', 'This endpoint requires a Bearer token')
    try {
      return await verifier.verify(token)
    } catch {
      throw new GoTrueError(403, 'bad_jwt', 'invalid JWT: unable to parse or verify signature')
    }
  }

  return app
}

/** The id the request-id middleware gave this request (this sub-app's context is untyped). */
function requestIdOf(c: Context): string | null {
  const id: unknown = c.get('requestId')
  return typeof id === 'string' ? id : null
}

async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json()
  } catch {
    throw new GoTrueError(400, 'validation_failed', 'Could not read the request body as JSON')
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const field = issue?.path[0]
  const message =
    field === 'email'
      ? 'Unable to validate email address: invalid format'
      : `${String(field ?? 'body')}: ${issue?.message ?? 'invalid'}`
  throw new GoTrueError(400, 'validation_failed', message)
}

/**
 * Sign-up metadata is the user's to set; keep it small and plain. An invitation token travels
 * in it (`data.invitation_token`, the one extra field supabase-js can send) and is taken out.
 */
function splitInvitation(data: Record<string, unknown> | undefined): {
  invitation: string | undefined
  metadata: Record<string, unknown>
} {
  if (!data) return { invitation: undefined, metadata: {} }
  const { invitation_token: token, ...metadata } = data
  const invitation = invitationToken.safeParse(token)
  if (!invitation.success) {
    throw new GoTrueError(400, 'validation_failed', 'data.invitation_token: invalid')
  }
  if (JSON.stringify(metadata).length > 4096) {
    throw new GoTrueError(400, 'validation_failed', 'data: too large')
  }
  return { invitation: invitation.data, metadata }
}

function checkPasswordStrength(password: string): void {
  if (password.length >= minPasswordLength) return
  const message = `Password should be at least ${minPasswordLength} characters.`
  throw new GoTrueError(422, 'weak_password', message, {
    extra: { weak_password: { reasons: ['length'], message } },
  })
}

/** In invite mode the invitation is spent in the transaction that creates the user. */
async function admitInvited(
  tx: Tx,
  policy: SignupPolicy,
  { email, invitation, id }: { email: string; invitation: string | undefined; id: string },
): Promise<void> {
  if (policy.mode !== 'invite') return
  if (!invitation) throw signupDisabled()
  const tokenHash = hashInvitationToken(invitation)
  if (!(await consumeInvitation(tx, { tokenHash, email, userId: id }))) throw invitationNotFound()
}

/** GoTrue's 429; the message names the real wait, which supabase-js passes on to the app. */
const rateLimited = (seconds: number) =>
  new GoTrueError(
    429,
    'over_request_rate_limit',
    `Too many requests. Try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`,
    { retryAfterSeconds: seconds },
  )

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
