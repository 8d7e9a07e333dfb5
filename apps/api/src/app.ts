import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { secureHeaders } from 'hono/secure-headers'
import type { Logger } from 'pino'
import { localAuthRoutes } from './auth-local/routes.ts'
import type { AppDeps } from './deps.ts'
import type { AppEnv } from './env.ts'
import { errorBody, notFound, safeError, toAppError } from './errors.ts'
import { authenticate } from './middleware/authenticate.ts'
import { bodyWithin } from './middleware/body-limit.ts'
import { rateLimit, rateLimitStreaming } from './middleware/rate-limit.ts'
import { requestId } from './middleware/request-id.ts'
import { requestLog } from './middleware/request-log.ts'
import { recordServerError } from './observability/activity-log.ts'
import { metricsEndpoint, recordRequests } from './observability/metrics-routes.ts'
import { traceRequests } from './observability/request-span.ts'
import { admin } from './routes/admin.ts'
import { adminAuditLog, adminModels } from './routes/admin-models.ts'
import { adminUsers } from './routes/admin-users.ts'
import { apiDocs } from './routes/api-docs.ts'
import { adminBudgets, usage } from './routes/budgets.ts'
import { conversations } from './routes/conversations.ts'
import { conversationTransfer, userDataTransfer } from './routes/export.ts'
import { feedback } from './routes/feedback.ts'
import { isUpload } from './routes/file-upload.ts'
import { conversationFiles, files } from './routes/files.ts'
import { health } from './routes/health.ts'
import { activity, adminLogs } from './routes/logs.ts'
import { me } from './routes/me.ts'
import { messages } from './routes/messages.ts'
import { models } from './routes/models.ts'
import { openApiDocument } from './routes/openapi.ts'
import { search } from './routes/search.ts'
import { conversationShares, noIndex, publicShares, shares } from './routes/shares.ts'
import { adminUsage, usageReports } from './routes/usage.ts'
import { spaRoutes } from './spa.ts'

/** Largest request body: a 100k-character message is at most ~600 kB as JSON. */
export const maxBodyBytes = 1024 * 1024

/** The whole HTTP surface, built around its dependencies; no side effects. */
export function createApp(deps: AppDeps, logger: Logger) {
  const app = new Hono<AppEnv>()

  app.use(requestId)
  if (deps.tracer) app.use(traceRequests(deps.tracer))
  app.use(requestLog(logger))
  if (deps.metrics) app.use(recordRequests(deps.metrics.series))
  app.use(
    secureHeaders({
      crossOriginResourcePolicy: 'same-site',
      strictTransportSecurity: 'max-age=31536000; includeSubDomains',
    }),
  )
  // JSON needs no content policy beyond "nothing"; the web app's own policy is set by spaRoutes.
  const jsonOnly = secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  })
  // Before the JSON policy: the rendered API reference runs scripts and styles of its own.
  app.route('/api/v1/docs', apiDocs)
  app.use('/api/*', jsonOnly)
  app.use('/auth/*', jsonOnly)
  if (deps.config.corsOrigins.length > 0) app.use(corsFor(deps.config.corsOrigins))
  const generalLimit = bodyWithin(maxBodyBytes)
  // Uploads have their own, larger limit (PARLEY_MAX_UPLOAD_MB), checked by their route.
  app.use((c, next) => (isUpload(c.req.method, c.req.path) ? next() : generalLimit(c, next)))
  app.use(async (c, next) => {
    c.set('deps', deps)
    await next()
  })

  if (deps.localAuth) {
    app.route(
      '/auth/v1',
      localAuthRoutes({
        db: deps.db,
        settings: deps.localAuth,
        verifier: deps.verifier,
        limiter: deps.limiter,
        limits: deps.limits,
        trustedProxies: deps.trustedProxies,
        activity: deps.activity,
        errors: deps.errors,
        ...(deps.localAuth.now ? { now: deps.localAuth.now } : {}),
      }),
    )
  }

  const api = apiRoutes(deps)
  app.get('/api/v1/openapi.json', openApiDocument(api, deps.version))
  app.get('/metrics', metricsEndpoint(deps.metrics))
  app.route('/api/v1', api)
  app.all('/api/*', () => {
    throw notFound('route')
  })

  app.use('/s/*', noIndex)
  const spa = spaRoutes(deps.config.webDist, deps.config.connectOrigins)
  if (spa.available) app.route('/', spa.app)

  app.notFound((c) => c.json(errorBody(notFound('route'), c.var.requestId), 404))
  app.onError((error, c) => {
    const appError = toAppError(error)
    const log = c.var.logger ?? logger
    if (appError.status >= 500) log.error({ err: safeError(error) }, appError.message)
    recordServerError(c, appError)
    for (const [name, value] of Object.entries(appError.headers)) c.header(name, value)
    return c.json(errorBody(appError, c.var.requestId ?? 'unknown'), appError.status)
  })
  return app
}

/** Browsers on the configured origins may call the API and read the headers a client needs. */
function corsFor(origins: readonly string[]) {
  return cors({
    origin: [...origins],
    allowHeaders: [
      'authorization',
      'content-type',
      'x-request-id',
      'apikey',
      'x-client-info',
      'x-supabase-api-version',
    ],
    allowMethods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'],
    exposeHeaders: [
      'x-request-id',
      // downloads are named by it (exports, originals, CSV reports)
      'content-disposition',
      'retry-after',
      'ratelimit',
      'ratelimit-policy',
      'x-supabase-api-version',
    ],
    maxAge: 600,
  })
}

/** Everything under `/api/v1`: public routes, then authentication and rate limits, then the rest. */
function apiRoutes(deps: AppDeps) {
  return (
    new Hono<AppEnv>()
      .route('/', health)
      .route('/shares', publicShares)
      .use('*', authenticate(deps.verifier))
      // A chat turn counts against both limits and takes its stream slot in one round trip; every
      // other route counts against requests.
      .on(
        'POST',
        ['/conversations/:id/messages', '/conversations/:id/messages/:messageId/regenerate'],
        rateLimitStreaming('turns', 'requests'),
      )
      .use('*', rateLimit('requests'))
      .route('/me', me)
      .route('/me', userDataTransfer)
      .route('/models', models)
      .route('/conversations', conversations)
      .route('/conversations', messages)
      .route('/conversations', conversationShares)
      .route('/shares', shares)
      .route('/conversations', conversationTransfer)
      .route('/conversations', conversationFiles)
      .route('/files', files)
      .route('/search', search)
      .route('/messages', feedback)
      .route('/admin', admin)
      .route('/admin/users', adminUsers)
      .route('/admin/budgets', adminBudgets)
      .route('/admin/models', adminModels)
      .route('/admin/audit', adminAuditLog)
      .route('/admin/usage', adminUsage)
      .route('/admin', adminLogs)
      .route('/activity', activity)
      .route('/usage', usage)
      .route('/usage', usageReports)
  )
}
