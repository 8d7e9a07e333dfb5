import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../config.ts'
import { startTestServer, type TestServer } from '../testing/test-server.ts'
import { createEphemeralSigningKey } from './signing-key.ts'

// The bound a revoked session's access token may outlive it by: the configured default lifetime.
const defaults = loadConfig({}).auth
const ttlSeconds = defaults.kind === 'local' ? defaults.accessTokenTtlSeconds : 0

// The server's clock (token issuance, verification, refresh-token reuse): moved, never slept on.
let clock = Date.now()

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({
    auth: {
      kind: 'local',
      signingKey: await createEphemeralSigningKey(),
      accessTokenTtlSeconds: ttlSeconds,
    },
    now: () => clock,
  })
})
afterAll(() => server?.close())

let emailCounter = 0

async function auth(path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${server.url}/auth/v1/${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  })
}

async function signIn(): Promise<{ access_token: string; refresh_token: string }> {
  const email = `revoked-${process.pid}-${emailCounter++}@example.test`
  const password = 'correct horse battery'
  expect((await auth('signup', { email, password })).status).toBe(200)
  const response = await auth('token?grant_type=password', { email, password })
  expect(response.status).toBe(200)
  return (await response.json()) as { access_token: string; refresh_token: string }
}

const me = async (token: string) => (await server.call(token, '/api/v1/me')).status
const refresh = async (token: string) =>
  (await auth('token?grant_type=refresh_token', { refresh_token: token })).status

describe('an access token of a session that has ended', () => {
  it('is short-lived by default', () => {
    expect(ttlSeconds).toBeGreaterThanOrEqual(300)
    expect(ttlSeconds).toBeLessThanOrEqual(900)
  })

  it('stops working within its lifetime after a global sign-out, and cannot be renewed', async () => {
    const session = await signIn()
    expect(await me(session.access_token)).toBe(200)
    expect((await auth('logout?scope=global', {}, session.access_token)).status).toBe(204)
    expect(await refresh(session.refresh_token)).toBe(400)

    clock += ttlSeconds * 1000
    expect(await me(session.access_token)).toBe(401)
  })

  it('stops working within its lifetime after its session is revoked', async () => {
    const session = await signIn()
    clock += 1_000
    expect(await refresh(session.refresh_token)).toBe(200)
    // A rotated refresh token presented after the reuse interval revokes the whole session.
    clock += 11_000
    expect(await refresh(session.refresh_token)).toBe(400)
    expect(await me(session.access_token)).toBe(200)

    clock += ttlSeconds * 1000 - 12_000
    expect(await me(session.access_token)).toBe(401)
  })
})
