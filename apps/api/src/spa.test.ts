import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spaRoutes } from './spa.ts'

const indexHtml =
  '<!doctype html><html><head><script type="module" src="/assets/app-1a2b3c4d.js"></script></head><body><div id="root"></div></body></html>'
const script = Buffer.from(
  Array.from({ length: 60 }, (_, i) => `console.log("parley chunk line ${i}")`).join('\n'),
)
const brotli = brotliCompressSync(script)
const gzip = gzipSync(script)

let dist: string
let spa: ReturnType<typeof spaRoutes>['app']

beforeAll(async () => {
  dist = await mkdtemp(path.join(os.tmpdir(), 'parley-spa-'))
  await mkdir(path.join(dist, 'assets'))
  await writeFile(path.join(dist, 'index.html'), indexHtml)
  await writeFile(path.join(dist, 'assets', 'app-1a2b3c4d.js'), script)
  await writeFile(path.join(dist, 'assets', 'app-1a2b3c4d.js.br'), brotli)
  await writeFile(path.join(dist, 'assets', 'app-1a2b3c4d.js.gz'), gzip)
  await writeFile(path.join(dist, 'assets', 'tiny-5e6f7a8b.css'), 'body{margin:0}')
  await writeFile(path.join(dist, '.env'), 'SECRET=1')
  spa = spaRoutes(dist, ['https://auth.example.com']).app
})
afterAll(async () => {
  await rm(dist, { recursive: true, force: true })
})

const getAsset = (acceptEncoding?: string, method = 'GET') =>
  spa.request('/assets/app-1a2b3c4d.js', {
    method,
    headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
  })

const bodyOf = async (response: Response) => Buffer.from(await response.arrayBuffer())

describe('the built web app', () => {
  it('sends brotli to a browser that accepts it', async () => {
    const response = await getAsset('gzip, deflate, br, zstd')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-encoding')).toBe('br')
    expect(response.headers.get('content-type')).toContain('text/javascript')
    expect(response.headers.get('vary')).toBe('Accept-Encoding')
    expect(response.headers.get('content-length')).toBe(String(brotli.length))
    expect(brotliDecompressSync(await bodyOf(response)).equals(script)).toBe(true)
  })

  it('sends gzip when brotli is not accepted, and follows the client ratings', async () => {
    for (const acceptEncoding of ['gzip', 'br;q=0, gzip', 'gzip;q=1, br;q=0.5']) {
      const response = await getAsset(acceptEncoding)
      expect(response.headers.get('content-encoding')).toBe('gzip')
      expect(response.headers.get('vary')).toBe('Accept-Encoding')
      expect(response.headers.get('content-length')).toBe(String(gzip.length))
      expect(gunzipSync(await bodyOf(response)).equals(script)).toBe(true)
    }
    expect((await getAsset('*')).headers.get('content-encoding')).toBe('br')
  })

  it('sends the plain file when no compression is accepted', async () => {
    for (const acceptEncoding of [undefined, '', 'identity', 'br;q=0, gzip;q=0', 'deflate']) {
      const response = await getAsset(acceptEncoding)
      expect(response.headers.get('content-encoding')).toBeNull()
      expect(response.headers.get('vary')).toBe('Accept-Encoding')
      expect(response.headers.get('content-length')).toBe(String(script.length))
      expect((await bodyOf(response)).equals(script)).toBe(true)
    }
  })

  it('answers HEAD with the length of the variant a GET would send, and no body', async () => {
    const response = await getAsset('br', 'HEAD')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-encoding')).toBe('br')
    expect(response.headers.get('content-length')).toBe(String(brotli.length))
    expect((await bodyOf(response)).length).toBe(0)
  })

  it('caches hashed assets for a year, and has small ones without variants vary on nothing', async () => {
    expect((await getAsset('br')).headers.get('cache-control')).toBe(
      'public, max-age=31536000, immutable',
    )
    const css = await spa.request('/assets/tiny-5e6f7a8b.css', {
      headers: { 'accept-encoding': 'br, gzip' },
    })
    expect(css.headers.get('cache-control')).toContain('immutable')
    expect(css.headers.get('content-type')).toContain('text/css')
    expect(css.headers.get('content-encoding')).toBeNull()
    expect(css.headers.get('vary')).toBeNull()
  })

  it('serves index.html for client routes, revalidated on every load, under the content policy', async () => {
    for (const route of ['/', '/index.html', '/c/3f2b5c1e-0000-4000-8000-000000000000']) {
      const response = await spa.request(route)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toContain('text/html')
      expect(response.headers.get('cache-control')).toBe('no-cache')
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'")
      expect(response.headers.get('content-security-policy')).toContain('https://auth.example.com')
      expect(await response.text()).toBe(indexHtml)
    }
  })

  it('answers a missing asset with 404, not the page, so a stale chunk is never HTML', async () => {
    const response = await spa.request('/assets/app-00000000.js')
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).not.toContain('text/html')
    expect(response.headers.get('cache-control')).toBe('no-cache')
  })

  it('never serves a dotfile from the build folder', async () => {
    for (const route of ['/.env', '/assets/%2e%2e/.env', '/assets/..%2f.env']) {
      const response = await spa.request(route)
      expect(await response.text()).not.toContain('SECRET')
    }
  })
})
