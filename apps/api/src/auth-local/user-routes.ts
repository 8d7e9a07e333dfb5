import { authStore } from '@parley/db'
import type { Context, Hono } from 'hono'
import type { AuthRoutes } from './auth-context.ts'
import { GoTrueError } from './gotrue-error.ts'
import { hashPassword, verifyPassword } from './passwords.ts'
import { inRecoveryWindow } from './recovery.ts'
import { checkPasswordStrength, parse, readJson, userUpdate } from './requests.ts'
import { userJson } from './sessions.ts'

const userNotFound = () =>
  new GoTrueError(404, 'user_not_found', 'User from sub claim in JWT does not exist')

/** The signed-in user: read it, change its password. */
export function userRoutes(app: Hono, auth: AuthRoutes) {
  app.get('/user', async (c) => {
    const claims = await auth.userClaims(c)
    const user = await auth.deps.db.asService((tx) => authStore.getAuthUser(tx, claims.sub))
    if (!user) throw userNotFound()
    return c.json(userJson(user))
  })

  app.put('/user', async (c) => c.json(await changePassword(auth, c)))
}

/**
 * Changes the password (GoTrue's `PUT /user`, with its "require the current password" setting
 * on): a wrong current password counts as a failed sign-in, and every other session ends.
 */
async function changePassword(auth: AuthRoutes, c: Context) {
  const { db } = auth.deps
  const claims = await auth.userClaims(c)
  const body = parse(userUpdate, await readJson(c))
  const user = await db.asService((tx) => authStore.getAuthUser(tx, claims.sub))
  if (!user?.email || !user.encryptedPassword) throw userNotFound()
  // A reset link's session may set a new password without the old one, for a short while.
  const recovering = inRecoveryWindow(claims, auth.now())
  if (!body.current_password && !recovering) {
    throw new GoTrueError(400, 'current_password_required', 'Current password required')
  }
  const attempt = auth.signIns.key(user.email, auth.address(c))
  await auth.signIns.check(attempt)
  if (
    body.current_password !== undefined &&
    !(await verifyPassword(body.current_password, user.encryptedPassword))
  ) {
    await auth.signIns.fail(attempt)
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
  await auth.signIns.succeed(attempt)
  auth.record(c, 'password_changed', user.id, {})
  return userJson(updated ?? user)
}
