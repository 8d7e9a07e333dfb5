import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { type Context, Hono } from 'hono'
import { parseAccept } from 'hono/utils/accept'
import { getMimeType } from 'hono/utils/mime'
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

/** A hashed name changes with the content, so the file can be kept for a year. */
const immutable = 'public, max-age=31536000, immutable'
/** Everything else (index.html, the fallback, a missing asset) is checked again on every use. */
const revalidate = 'no-cache'

/** The precompressed files the web build writes beside an asset, most preferred first. */
const encodings = [
  { coding: 'br', suffix: '.br' },
  { coding: 'gzip', suffix: '.gz' },
] as const
type Encoding = (typeof encodings)[number]

/** A path the build could have written: no dot segments, dotfiles, escapes or empty segments. */
const servablePath = /^(?:\/[\w@~+-][\w.@~+-]*)+$/

interface FoundFile {
  file: string
  size: number
}

async function statFile(file: string): Promise<FoundFile | null> {
  const stats = await stat(file).catch(() => null)
  return stats?.isFile() ? { file, size: stats.size } : null
}

/** The built file at `requestPath`, if there is one. */
function findFile(root: string, requestPath: string) {
  return servablePath.test(requestPath) ? statFile(path.join(root, requestPath)) : null
}

/** The variant whose encoding the client rates highest (ties go to the smaller); q=0 refuses. */
function negotiate<T extends { encoding: Encoding }>(
  acceptEncoding: string | undefined,
  variants: readonly T[],
): T | null {
  if (!acceptEncoding) return null
  const accepted = parseAccept(acceptEncoding)
  const quality = (coding: string) =>
    (
      accepted.find((entry) => entry.type.toLowerCase() === coding) ??
      accepted.find((entry) => entry.type === '*')
    )?.q ?? 0
  let best: T | null = null
  let bestQuality = 0
  for (const variant of variants) {
    const q = quality(variant.encoding.coding)
    if (q > bestQuality) [best, bestQuality] = [variant, q]
  }
  return best
}

/** Sends a built file, or its brotli/gzip variant when the client accepts one. */
async function sendFile(c: Context<AppEnv>, found: FoundFile, cacheControl: string) {
  const onDisk = await Promise.all(
    encodings.map(async (encoding) => {
      const variant = await statFile(found.file + encoding.suffix)
      return variant && { ...variant, encoding }
    }),
  )
  const variants = onDisk.filter((variant) => variant !== null)
  const chosen = negotiate(c.req.header('accept-encoding'), variants)
  const sent = chosen ?? found

  c.header('Content-Type', getMimeType(found.file) ?? 'application/octet-stream')
  c.header('Cache-Control', cacheControl)
  if (variants.length > 0) c.header('Vary', 'Accept-Encoding')
  if (chosen) c.header('Content-Encoding', chosen.encoding.coding)
  c.header('Content-Length', String(sent.size))
  if (c.req.method === 'HEAD') return c.body(null)
  return c.body(await readFile(sent.file))
}

/**
 * Serves the built SPA, precompressed when the client accepts it: hashed assets cached for a year
 * (a missing one is a 404, never HTML), every other path gets `index.html`.
 */
export function spaRoutes(distDir: string, connectOrigins: readonly string[]) {
  const csp = spaContentSecurityPolicy(connectOrigins)
  const root = path.resolve(distDir)
  const app = new Hono<AppEnv>()
  if (!existsSync(path.join(root, 'index.html'))) return { app, available: false }

  app.use('*', async (c, next) => {
    c.header('Content-Security-Policy', csp)
    c.header('Cache-Control', revalidate)
    await next()
  })
  app.get('/assets/*', async (c) => {
    const asset = await findFile(root, c.req.path)
    return asset ? sendFile(c, asset, immutable) : c.notFound()
  })
  app.get('*', async (c) => {
    const page = (await findFile(root, c.req.path)) ?? (await findFile(root, '/index.html'))
    return page ? sendFile(c, page, revalidate) : c.notFound()
  })
  return { app, available: true }
}
