import { authStore, consumeInvitation, DbError, type Tx } from '@parley/db'
import type { Context, Hono } from 'hono'
import type { AuthRoutes } from './auth-context.ts'
import { GoTrueError } from './gotrue-error.ts'
import { hashInvitationToken } from './invitations.ts'
import { decoyHash, hashPassword, verifyPassword } from './passwords.ts'
import { isBanned, refreshRefused, rotateRefreshToken } from './refresh.ts'
import {
  checkPasswordStrength,
  parse,
  passwordGrant,
  readJson,
  refreshGrant,
  signupBody,
  splitInvitation,
} from './requests.ts'
import { sessionJson, startSession } from './sessions.ts'
import {
  checkSignupAllowed,
  invitationNotFound,
  type SignupPolicy,
  signupDisabled,
} from './signup-policy.ts'

/** Sessions: sign up, sign in with a password, refresh, sign out. */
export function sessionRoutes(app: Hono, auth: AuthRoutes) {
  app.post('/signup', async (c) => c.json(await signUp(auth, c)))

  app.post('/token', async (c) => {
    const grant = c.req.query('grant_type')
    if (grant === 'password') return c.json(await passwordSignIn(auth, c))
    if (grant === 'refresh_token') return c.json(await refresh(auth, c))
    throw new GoTrueError(400, 'validation_failed', 'Unsupported grant type')
  })

  app.post('/logout', async (c) => {
    const claims = await auth.userClaims(c)
    const scope = c.req.query('scope') ?? 'global'
    const sessionId = typeof claims.session_id === 'string' ? claims.session_id : undefined
    await auth.deps.db.asService(async (tx) => {
      if (scope === 'local') {
        if (sessionId) await authStore.deleteSession(tx, sessionId)
      } else if (scope === 'others') {
        await authStore.deleteUserSessions(tx, claims.sub, { except: sessionId })
      } else {
        await authStore.deleteUserSessions(tx, claims.sub)
      }
    })
    auth.record(c, 'sign_out', claims.sub, {
      scope: scope === 'local' || scope === 'others' ? scope : 'global',
    })
    return c.body(null, 204)
  })
}

async function signUp(auth: AuthRoutes, c: Context) {
  const { db, settings } = auth.deps
  await auth.limitClient(c)
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
  auth.record(c, 'sign_in', user.id, { method: 'signup' })
  return startSession(db, settings, user, c.req.header('user-agent'))
}

async function passwordSignIn(auth: AuthRoutes, c: Context) {
  const { db, settings } = auth.deps
  await auth.limitClient(c)
  const body = parse(passwordGrant, await readJson(c))
  const attempt = auth.signIns.key(body.email, auth.address(c))
  await auth.signIns.check(attempt)

  const found = await db.asService((tx) => authStore.findAuthUserByEmail(tx, body.email))
  const valid = await verifyPassword(body.password, found?.encryptedPassword ?? (await decoyHash))
  if (!found || !valid || found.deletedAt || isBanned(found.bannedUntil, auth.now)) {
    await auth.signIns.fail(attempt)
    throw new GoTrueError(400, 'invalid_credentials', 'Invalid login credentials')
  }
  await auth.signIns.succeed(attempt)
  await db.asService((tx) => authStore.recordSignIn(tx, found.id))
  auth.record(c, 'sign_in', found.id, { method: 'password' })
  return startSession(db, settings, found, c.req.header('user-agent'))
}

async function refresh(auth: AuthRoutes, c: Context) {
  const { db, settings } = auth.deps
  await auth.limitClient(c)
  const { refresh_token: presented } = parse(refreshGrant, await readJson(c))
  const outcome = await rotateRefreshToken(db, settings, presented, auth.now)
  if (outcome.kind !== 'rotated') throw refreshRefused(outcome)
  return sessionJson(settings, outcome.user, outcome.sessionId, outcome.refreshToken)
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
