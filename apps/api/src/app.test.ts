import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from './testing/test-server.ts'

let server: TestServer
let webDist: string

beforeAll(async () => {
  webDist = await mkdtemp(path.join(os.tmpdir(), 'parley-web-'))
  await mkdir(path.join(webDist, 'assets'))
  await writeFile(
    path.join(webDist, 'index.html'),
    '<!doctype html><html><head><script type="module" src="/assets/app-1a2b.js"></script></head><body><div id="root"></div></body></html>',
  )
  await writeFile(path.join(webDist, 'assets', 'app-1a2b.js'), 'console.log("parley")')
  server = await startTestServer({ webDist, corsOrigins: ['https://chat.example.com'] })
})
afterAll(async () => {
  await server?.close()
  await rm(webDist, { recursive: true, force: true })
})

describe('every response', () => {
  it('carries a request id: a valid incoming one is echoed, otherwise one is made', async () => {
    const echoed = await fetch(`${server.url}/api/v1/health`, {
      headers: { 'x-request-id': 'trace-1234-abcd' },
    })
    expect(echoed.headers.get('x-request-id')).toBe('trace-1234-abcd')
    const replaced = await fetch(`${server.url}/api/v1/health`, {
      headers: { 'x-request-id': 'bad id with spaces' },
    })
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    const failed = await fetch(`${server.url}/api/v1/me`)
    expect(failed.headers.get('x-request-id')).toBeTruthy()
  })

  it('has security headers, and the API forbids framing and inline content', async () => {
    const response = await fetch(`${server.url}/api/v1/health`)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('strict-transport-security')).toContain('max-age=')
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'")
  })
})

describe('the API', () => {
  it('reports health without a token', async () => {
    const response = await fetch(`${server.url}/api/v1/health`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ status: 'ok', database: 'ok', mode: 'embedded' })
  })

  it('answers unknown routes with the error envelope', async () => {
    const user = await server.user()
    const response = await server.call(user.token, '/api/v1/nothing-here')
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } })
  })

  it('allows the configured browser origins and no others', async () => {
    const allowed = await fetch(`${server.url}/api/v1/conversations`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://chat.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    })
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://chat.example.com')
    // a download's name reaches the app on another origin
    const health = await fetch(`${server.url}/api/v1/health`, {
      headers: { origin: 'https://chat.example.com' },
    })
    expect(health.headers.get('access-control-expose-headers')?.split(/,\s*/)).toContain(
      'content-disposition',
    )
    const denied = await fetch(`${server.url}/api/v1/health`, {
      headers: { origin: 'https://evil.example' },
    })
    expect(denied.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('publishes an OpenAPI document covering every route it serves', async () => {
    const response = await fetch(`${server.url}/api/v1/openapi.json`)
    expect(response.status).toBe(200)
    const doc = (await response.json()) as {
      openapi: string
      paths: Record<string, Record<string, { requestBody?: unknown; parameters?: unknown[] }>>
    }
    expect(doc.openapi).toMatch(/^3\./)
    const documented = Object.entries(doc.paths).flatMap(([route, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${route}`),
    )
    const served = server.app.routes
      .filter((r) => r.path.startsWith('/api/v1/') && r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path.replace('/api/v1', '').replace(/:(\w+)/g, '{$1}')}`)
      // The document itself, and the page that renders it, are not API operations.
      .filter((r) => !r.endsWith('/openapi.json') && !r.includes(' /docs'))
    expect(new Set(documented)).toEqual(new Set(served))
    // Request bodies come from the same zod schemas the routes validate with.
    const send = doc.paths['/conversations/{id}/messages']?.post
    expect(JSON.stringify(send?.requestBody)).toContain('content')
    expect(JSON.stringify(send?.requestBody)).toContain('100000')
  })
})

describe('the web app', () => {
  it('is served with a strict Content-Security-Policy', async () => {
    const response = await fetch(`${server.url}/`)
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('<div id="root">')
    const csp = response.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("img-src 'self' data: blob:")
    expect(csp).toContain("connect-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    expect(response.headers.get('cache-control')).toBe('no-cache')
  })

  it('falls back to index.html for client-side routes, and caches hashed assets', async () => {
    const route = await fetch(`${server.url}/c/3f2b5c1e-0000-4000-8000-000000000000`)
    expect(route.status).toBe(200)
    expect(await route.text()).toContain('<div id="root">')
    const asset = await fetch(`${server.url}/assets/app-1a2b.js`)
    expect(asset.headers.get('cache-control')).toContain('immutable')
    expect(asset.headers.get('content-type')).toContain('javascript')
  })

  it('does not shadow API or auth routes', async () => {
    const response = await fetch(`${server.url}/api/v1/unknown`)
    expect(response.headers.get('content-type')).toContain('application/json')
    const auth = await fetch(`${server.url}/auth/v1/.well-known/jwks.json`)
    expect(auth.headers.get('content-type')).toContain('application/json')
  })
})

describe('an unexpected failure', () => {
  it('is a 500 envelope that shows no stack or SQL, and health reports the database down', async () => {
    const broken = await startTestServer()
    try {
      const user = await broken.user()
      await broken.db.close()
      const response = await broken.call(user.token, '/api/v1/conversations')
      expect(response.status).toBe(500)
      const text = await response.text()
      expect(JSON.parse(text)).toMatchObject({
        error: { code: 'internal_error', message: 'something went wrong on our side' },
      })
      expect(text).not.toMatch(/select|conversations"|at .*\.ts|stack/i)
      const health = await fetch(`${broken.url}/api/v1/health`)
      expect(health.status).toBe(503)
      expect(await health.json()).toMatchObject({ status: 'degraded', database: 'unavailable' })
    } finally {
      await broken.close().catch(() => undefined)
    }
  })
})
