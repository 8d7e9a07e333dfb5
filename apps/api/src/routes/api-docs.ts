import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Hono } from 'hono'
import type { AppEnv } from '../env.ts'

/** Swagger UI's own files, from the `swagger-ui-dist` package: nothing is fetched from elsewhere. */
const assetDir = path.dirname(
  createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'),
)
const assets = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
} as const
type Asset = keyof typeof assets

/** Scripts and styles from this origin only: no inline code, no other hosts. */
const policy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Parley API</title>
    <link rel="stylesheet" href="/api/v1/docs/swagger-ui.css" />
  </head>
  <body>
    <main id="docs"></main>
    <script src="/api/v1/docs/swagger-ui-bundle.js"></script>
    <script src="/api/v1/docs/start.js"></script>
  </body>
</html>
`

const start = `window.ui = SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#docs',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
})
`

const loaded = new Map<Asset, Promise<Buffer>>()
const read = (name: Asset) => {
  let file = loaded.get(name)
  if (!file) {
    file = readFile(path.join(assetDir, name))
    loaded.set(name, file)
  }
  return file
}

/**
 * `/api/v1/docs`: the OpenAPI document rendered by Swagger UI, served from this origin under
 * its own strict content policy (the JSON API's `default-src 'none'` would block it).
 */
export const apiDocs = new Hono<AppEnv>()
  .use(async (c, next) => {
    await next()
    c.header('Content-Security-Policy', policy)
  })
  .get('/', (c) => {
    c.header('Cache-Control', 'no-cache')
    return c.html(page)
  })
  .get('/start.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8')
    c.header('Cache-Control', 'no-cache')
    return c.body(start)
  })
  .get('/:asset{swagger-ui\\.css|swagger-ui-bundle\\.js}', async (c) => {
    const name = c.req.param('asset') as Asset
    c.header('Content-Type', assets[name])
    c.header('Cache-Control', 'public, max-age=86400')
    return c.body(new Uint8Array(await read(name)))
  })
