import { authStore, type Database, DbError } from '@parley/db'
import { type Context, Hono } from 'hono'
import { z } from 'zod'
import type { TokenVerifier } from '../auth/verify-token.ts'
import { bearerToken } from '../middleware/authenticate.ts'
import { apiVersion, GoTrueError } from './gotrue-error.ts'
import { decoyHash, hashPassword, verifyPassword } from './passwords.ts'
import {
  hashRefreshToken,
  type LocalAuthSettings,
  newRefreshToken,
  sessionJson,
  startSession,
  userJson,
  withAdminRole,
} from './sessions.ts'
import { Throttle } from './throttle.ts'

export const minPasswordLength = 8

const email = z.string().trim().toLowerCase().pipe(z.email().max(255))
const signupBody = z.looseObject({
  email,
  password: z.string().max(1024),
  data: z.record(z.string(), z.unknown()).optional(),
})
const passwordGrant = z.looseObject({ email, password: z.string().max(1024) })
const refreshGrant = z.looseObject({ refresh_token: z.string().min(1).max(200) })

export interface LocalAuthDeps {
  db: Database
  settings: LocalAuthSettings
  verifier: TokenVerifier
  /** Failed sign-ins allowed per email per window before it is throttled. */
  failedLoginLimit?: number
  now?: () => number
}

/**
 * The Supabase Auth (GoTrue) endpoints `@supabase/supabase-js` uses for email and password,
 * served by Parley itself in embedded mode under `/auth/v1`.
 */
export function localAuthRoutes(deps: LocalAuthDeps) {
  const { db, settings, verifier } = deps
  const clock = deps.now ? { now: deps.now } : {}
  const failedLogins = new Throttle({
    limit: deps.failedLoginLimit ?? 5,
    windowMs: 15 * 60_000,
    ...clock,
  })
  const perClient = new Throttle({ limit: 60, windowMs: 60_000, ...clock })

  const app = new Hono()

  app.onError((error, c) => {
    c.header('X-Supabase-Api-Version', apiVersion)
    if (error instanceof GoTrueError) {
      if (error.retryAfterSeconds) c.header('Retry-After', String(error.retryAfterSeconds))
      return c.json({ code: error.code, message: error.message, ...error.extra }, error.status)
    }
    return c.json({ code: 'unexpected_failure', message: 'Unexpected failure' }, 500)
  })

  app.use(async (c, next) => {
    await next()
    c.header('X-Supabase-Api-Version', apiVersion)
    c.header('Cache-Control', 'no-store')
  })

  const limitClient = (c: Context) => {
    const key = clientKey(c)
    const wait = perClient.retryAfter(key)
    if (wait > 0) throw rateLimited(wait)
    perClient.hit(key)
  }

  app.get('/.well-known/jwks.json', (c) => {
    c.header('Cache-Control', 'public, max-age=600')
    return c.json(settings.signingKey.jwks)
  })

  app.get('/settings', (c) =>
    c.json({
      external: { email: true, phone: false },
      disable_signup: false,
      mailer_autoconfirm: true,
      phone_autoconfirm: false,
      sms_provider: '',
      saml_enabled: false,
    }),
  )

  app.post('/signup', async (c) => {
    limitClient(c)
    const body = parse(signupBody, await readJson(c))
    if (body.password.length < minPasswordLength) {
      throw new GoTrueError(
        422,
        'weak_password',
        `Password should be at least ${minPasswordLength} characters.`,
        {
          extra: {
            weak_password: {
              reasons: ['length'],
              message: `Password should be at least ${minPasswordLength} characters.`,
            },
          },
        },
      )
    }
    const encryptedPassword = await hashPassword(body.password)
    const user = await db
      .asService((tx) =>
        authStore.insertAuthUser(tx, {
          email: body.email,
          encryptedPassword,
          appMetadata: withAdminRole(
            { provider: 'email', providers: ['email'] },
            body.email,
            settings.adminEmails,
          ),
          userMetadata: userMetadata(body.data),
        }),
      )
      .catch((error: unknown) => {
        if (error instanceof DbError && error.code === 'conflict') {
          throw new GoTrueError(422, 'user_already_exists', 'User already registered')
        }
        throw error
      })
    await db.asService((tx) => authStore.recordSignIn(tx, user.id))
    return c.json(await startSession(db, settings, user, c.req.header('user-agent')))
  })

  app.post('/token', async (c) => {
    const grant = c.req.query('grant_type')
    if (grant === 'password') return c.json(await passwordSignIn(c))
    if (grant === 'refresh_token') return c.json(await refresh(c))
    throw new GoTrueError(400, 'validation_failed', 'Unsupported grant type')
  })

  async function passwordSignIn(c: Context) {
    limitClient(c)
    const body = parse(passwordGrant, await readJson(c))
    const wait = failedLogins.retryAfter(body.email)
    if (wait > 0) throw rateLimited(wait)

    const found = await db.asService((tx) => authStore.findAuthUserByEmail(tx, body.email))
    const valid = await verifyPassword(body.password, found?.encryptedPassword ?? (await decoyHash))
    if (!found || !valid || found.deletedAt || isBanned(found.bannedUntil)) {
      failedLogins.hit(body.email)
      throw new GoTrueError(400, 'invalid_credentials', 'Invalid login credentials')
    }
    failedLogins.reset(body.email)
    const user = await syncAdminRole(found)
    await db.asService((tx) => authStore.recordSignIn(tx, user.id))
    return startSession(db, settings, user, c.req.header('user-agent'))
  }

  /**
   * Rotates the refresh token. Presenting a token that was already rotated means it leaked or
   * was replayed: the whole session (every token descended from the same sign-in) is revoked.
   */
  async function refresh(c: Context) {
    limitClient(c)
    const { refresh_token: presented } = parse(refreshGrant, await readJson(c))
    const next = newRefreshToken()
    const outcome = await db.asService(async (tx) => {
      const row = await authStore.findRefreshTokenForUpdate(tx, hashRefreshToken(presented))
      if (!row?.sessionId || !row.userId) return { kind: 'not_found' as const }
      if (row.revoked) {
        await authStore.deleteSession(tx, row.sessionId)
        return { kind: 'reused' as const }
      }
      const user = await authStore.getAuthUser(tx, row.userId)
      if (!user || user.deletedAt || isBanned(user.bannedUntil)) {
        await authStore.deleteSession(tx, row.sessionId)
        return { kind: 'not_found' as const }
      }
      await authStore.revokeRefreshToken(tx, row.id)
      await authStore.insertRefreshToken(tx, {
        tokenHash: hashRefreshToken(next),
        userId: user.id,
        sessionId: row.sessionId,
        parentHash: row.token,
      })
      return { kind: 'rotated' as const, user, sessionId: row.sessionId }
    })
    if (outcome.kind === 'reused') {
      throw new GoTrueError(
        400,
        'refresh_token_already_used',
        'Invalid Refresh Token: Already Used',
      )
    }
    if (outcome.kind === 'not_found') {
      throw new GoTrueError(
        400,
        'refresh_token_not_found',
        'Invalid Refresh Token: Refresh Token Not Found',
      )
    }
    const user = await syncAdminRole(outcome.user)
    return sessionJson(settings, user, outcome.sessionId, next)
  }

  app.get('/user', async (c) => {
    const claims = await userClaims(c)
    const user = await db.asService((tx) => authStore.getAuthUser(tx, claims.sub))
    if (!user)
      throw new GoTrueError(404, 'user_not_found', 'User from sub claim in JWT does not exist')
    return c.json(userJson(user))
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
    return c.body(null, 204)
  })

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

  async function syncAdminRole(user: authStore.AuthUserRow) {
    const wanted = withAdminRole(user.rawAppMetaData, user.email ?? '', settings.adminEmails)
    if (JSON.stringify(wanted) === JSON.stringify(user.rawAppMetaData)) return user
    return (await db.asService((tx) => authStore.updateAppMetadata(tx, user.id, wanted))) ?? user
  }

  return app
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

/** Sign-up metadata is the user's to set; keep it small and plain. */
function userMetadata(data: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!data) return {}
  const json = JSON.stringify(data)
  if (json.length > 4096) throw new GoTrueError(400, 'validation_failed', 'data: too large')
  return data
}

const isBanned = (until: Date | null) => until !== null && until.getTime() > Date.now()

const rateLimited = (seconds: number) =>
  new GoTrueError(429, 'over_request_rate_limit', 'Too many requests. Try again later.', {
    retryAfterSeconds: seconds,
  })

function clientKey(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)
    ?.incoming
  return incoming?.socket?.remoteAddress ?? 'local'
}
