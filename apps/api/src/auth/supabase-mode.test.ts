import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../testing/test-server.ts'

// A stand-in for a Supabase project's auth server: it only publishes its signing keys.
let project: http.Server
let projectUrl: string
let keys: Awaited<ReturnType<typeof generateKeyPair>>
let jwksRequests = 0
const legacySecret = 'a-legacy-supabase-jwt-secret-of-at-least-32-chars'
let server: TestServer

beforeAll(async () => {
  keys = await generateKeyPair('ES256', { extractable: true })
  const publicJwk = { ...(await exportJWK(keys.publicKey)), kid: 'project-key-1', alg: 'ES256' }
  project = http.createServer((req, res) => {
    if (req.url === '/auth/v1/.well-known/jwks.json') {
      jwksRequests++
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ keys: [publicJwk] }))
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => project.listen(0, '127.0.0.1', resolve))
  projectUrl = `http://127.0.0.1:${(project.address() as AddressInfo).port}`
  server = await startTestServer({
    mode: 'supabase',
    auth: { kind: 'supabase', url: projectUrl, jwtSecret: legacySecret },
  })
})
afterAll(async () => {
  await server?.close()
  await new Promise((resolve) => project?.close(resolve))
})

async function userToken(
  sub: string,
  {
    issuer = `${projectUrl}/auth/v1`,
    audience = 'authenticated',
    key = 'project' as 'project' | 'legacy',
    claims = {} as Record<string, unknown>,
  } = {},
) {
  const jwt = new SignJWT({ role: 'authenticated', email: 'someone@example.test', ...claims })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('1h')
  return key === 'project'
    ? jwt.setProtectedHeader({ alg: 'ES256', kid: 'project-key-1' }).sign(keys.privateKey)
    : jwt.setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(legacySecret))
}

describe('Supabase mode', () => {
  it('accepts the project’s tokens, verified against its JWKS', async () => {
    const user = await server.user()
    const response = await server.call(await userToken(user.id), '/api/v1/me')
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ id: user.id })
    expect(jwksRequests).toBeGreaterThan(0)
  })

  it('accepts HS256 tokens signed with the legacy JWT secret', async () => {
    const user = await server.user()
    const response = await server.call(await userToken(user.id, { key: 'legacy' }), '/api/v1/me')
    expect(response.status).toBe(200)
  })

  it('rejects tokens from another issuer or for another audience', async () => {
    const user = await server.user()
    for (const token of [
      await userToken(user.id, { issuer: 'https://other.supabase.co/auth/v1' }),
      await userToken(user.id, { audience: 'service' }),
    ]) {
      expect((await server.call(token, '/api/v1/me')).status).toBe(401)
    }
  })

  it('refuses anonymous users unless PARLEY_ALLOW_ANONYMOUS is set', async () => {
    const user = await server.user()
    const anonymous = await userToken(user.id, { claims: { is_anonymous: true } })
    const refused = await server.call(anonymous, '/api/v1/me')
    expect(refused.status).toBe(401)
    const body = (await refused.json()) as { error: { code: string; requestId: string } }
    expect(body.error.code).toBe('anonymous_not_allowed')
    expect(body.error.requestId).toBeTruthy()
    const named = await userToken(user.id, { claims: { is_anonymous: false } })
    expect((await server.call(named, '/api/v1/me')).status).toBe(200)

    const allowing = await startTestServer({
      mode: 'supabase',
      auth: { kind: 'supabase', url: projectUrl, jwtSecret: legacySecret },
      allowAnonymous: true,
    })
    try {
      const guest = await allowing.user()
      const token = await userToken(guest.id, { claims: { is_anonymous: true } })
      expect((await allowing.call(token, '/api/v1/me')).status).toBe(200)
    } finally {
      await allowing.close()
    }
  })

  it('answers 503 auth_unavailable, not 401, when the project’s keys cannot be fetched', async () => {
    const down = http.createServer((_req, res) => res.writeHead(503).end())
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve))
    const downUrl = `http://127.0.0.1:${(down.address() as AddressInfo).port}`
    await new Promise((resolve) => down.close(resolve))
    const isolated = await startTestServer({
      mode: 'supabase',
      auth: { kind: 'supabase', url: projectUrl, jwtSecret: undefined, jwksUrl: `${downUrl}/jwks` },
    })
    try {
      const user = await isolated.user()
      const response = await isolated.call(await userToken(user.id), '/api/v1/me')
      expect(response.status).toBe(503)
      const body = (await response.json()) as { error: { code: string; requestId: string } }
      expect(body.error.code).toBe('auth_unavailable')
      expect(body.error.requestId).toBeTruthy()
    } finally {
      await isolated.close()
    }
  })

  it('points admins to the Supabase dashboard instead of a bootstrap token', async () => {
    const user = await server.user()
    const response = await server.call(await userToken(user.id), '/api/v1/admin/claim', {
      method: 'POST',
      json: { token: 'anything-at-all-here' },
    })
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({
      error: { code: 'forbidden', message: expect.stringMatching(/Supabase dashboard/) },
    })
  })

  it('does not serve the embedded auth endpoints', async () => {
    const response = await fetch(`${server.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@b.c', password: 'whatever1' }),
    })
    expect(response.status).toBe(404)
  })
})
