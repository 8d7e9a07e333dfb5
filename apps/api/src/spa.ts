import { existsSync } from 'node:fs'
import path from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import type { AppEnv } from './env.ts'

/**
 * The Content-Security-Policy of the web app: scripts and styles only from this origin, no
 * inline script, connections only to the API and auth origins, images only from this origin
 * or data:/blob: URLs (a model's markdown cannot make the browser fetch a foreign image).
 */
export function spaContentSecurityPolicy(connectOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${["'self'", ...connectOrigins].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/** Serves the built SPA: hashed assets cached for a year, every other path gets `index.html`. */
export function spaRoutes(distDir: string, connectOrigins: readonly string[]) {
  const csp = spaContentSecurityPolicy(connectOrigins)
  const app = new Hono<AppEnv>()
  if (!existsSync(path.join(distDir, 'index.html'))) return { app, available: false }

  app.use('*', async (c, next) => {
    await next()
    c.header('Content-Security-Policy', csp)
    c.header(
      'Cache-Control',
      c.req.path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    )
  })
  app.get('*', serveStatic({ root: distDir }))
  app.get('*', serveStatic({ root: distDir, rewriteRequestPath: () => '/index.html' }))
  return { app, available: true }
}
