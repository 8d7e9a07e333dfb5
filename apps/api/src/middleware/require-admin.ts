import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env.ts'
import { AppError } from '../errors.ts'

/** True when the verified token's app_metadata (not user-editable) names the admin role. */
export const isAdminClaims = (claims: AppEnv['Variables']['claims']) =>
  claims.app_metadata?.role === 'admin'

/** Admin routes: a signed-in user without the admin role gets 403 before anything runs. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  if (!isAdminClaims(c.var.claims)) throw new AppError('forbidden', 'this needs the admin role')
  await next()
})
