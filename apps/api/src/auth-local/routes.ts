import { Hono } from 'hono'
import { routeOf } from '../observability/activity-log.ts'
import { authRoutes, type LocalAuthDeps, requestIdOf } from './auth-context.ts'
import { apiVersion, GoTrueError } from './gotrue-error.ts'
import { recoveryRoutes } from './recovery.ts'
import { sessionRoutes } from './session-routes.ts'
import { userRoutes } from './user-routes.ts'

export type { LocalAuthDeps } from './auth-context.ts'

/**
 * The Supabase Auth (GoTrue) endpoints `@supabase/supabase-js` uses for email and password,
 * served by Parley itself in embedded mode under `/auth/v1`.
 */
export function localAuthRoutes(deps: LocalAuthDeps) {
  const { db, settings } = deps
  const auth = authRoutes(deps)
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

  sessionRoutes(app, auth)
  userRoutes(app, auth)
  recoveryRoutes(app, { db, settings, limit: auth.limitClient })
  return app
}
