import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AppError } from '../errors.ts'
import { createTokenVerifier } from './verify-token.ts'

/** A Supabase project's JWKS endpoint that a test can take down. */
async function startJwksServer() {
  const keys = await generateKeyPair('ES256', { extractable: true })
  const publicJwk = { ...(await exportJWK(keys.publicKey)), kid: 'project-key-1', alg: 'ES256' }
  let requests = 0
  const server = http.createServer((req, res) => {
    requests++
    if (req.url !== '/auth/v1/.well-known/jwks.json') return void res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ keys: [publicJwk] }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    requests: () => requests,
    token: (sub: string) =>
      new SignJWT({ role: 'authenticated' })
        .setProtectedHeader({ alg: 'ES256', kid: 'project-key-1' })
        .setIssuer(`${url}/auth/v1`)
        .setAudience('authenticated')
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(keys.privateKey),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

let stopAll: (() => Promise<void>)[] = []
afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(stopAll.map((stop) => stop()))
  stopAll = []
})

async function errorOf(work: Promise<unknown>): Promise<AppError> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

describe('the Supabase JWKS, when the project’s auth server goes away', () => {
  it('keeps verifying with the last good keys, long after they went stale', async () => {
    const project = await startJwksServer()
    stopAll.push(project.stop)
    // Only the clock is faked: sockets and timeouts stay real.
    vi.useFakeTimers({ toFake: ['Date'] })
    const verifier = createTokenVerifier({ kind: 'supabase', url: project.url }, { cacheSize: 0 })
    const sub = crypto.randomUUID()
    expect((await verifier.verify(await project.token(sub))).sub).toBe(sub)
    await project.stop()

    for (const hours of [1, 2]) {
      vi.setSystemTime(Date.now() + hours * 3_600_000)
      const later = crypto.randomUUID()
      expect((await verifier.verify(await project.token(later))).sub).toBe(later)
    }
  })

  it('answers auth_unavailable (503), not unauthorized, when it never had the keys', async () => {
    const project = await startJwksServer()
    const token = await project.token(crypto.randomUUID())
    await project.stop()
    const verifier = createTokenVerifier({ kind: 'supabase', url: project.url }, { cacheSize: 0 })
    const error = await errorOf(verifier.verify(token))
    expect(error.code).toBe('auth_unavailable')
    expect(error.status).toBe(503)
  })

  it('fetches once for many requests and still refuses tokens signed by another key', async () => {
    const project = await startJwksServer()
    stopAll.push(project.stop)
    const verifier = createTokenVerifier({ kind: 'supabase', url: project.url }, { cacheSize: 0 })
    await Promise.all(
      Array.from({ length: 20 }, async () => verifier.verify(await project.token('x'))),
    )
    expect(project.requests()).toBe(1)

    const stranger = await generateKeyPair('ES256')
    const forged = await new SignJWT({ role: 'authenticated' })
      .setProtectedHeader({ alg: 'ES256', kid: 'project-key-1' })
      .setIssuer(`${project.url}/auth/v1`)
      .setAudience('authenticated')
      .setSubject(crypto.randomUUID())
      .setExpirationTime('1h')
      .sign(stranger.privateKey)
    expect((await errorOf(verifier.verify(forged))).code).toBe('unauthorized')
  })
})
