import { randomUUID } from 'node:crypto'
import { exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from 'jose'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { AppError } from '../errors.ts'
import { createTokenVerifier, type TokenVerifier } from './verify-token.ts'

const issuer = 'http://parley.test/auth/v1'
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey']
let signingKey: PrivateKey
let otherKey: PrivateKey
let jwks: JSONWebKeySet

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true })
  signingKey = pair.privateKey
  otherKey = (await generateKeyPair('ES256')).privateKey
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256' }] }
})

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

function verifier(cacheSize?: number): TokenVerifier {
  return createTokenVerifier(
    { kind: 'local', jwks, issuer },
    cacheSize === undefined ? {} : { cacheSize },
  )
}

function userToken({ expiresAt = '1h' as string | number, key = signingKey } = {}) {
  return new SignJWT({ role: 'authenticated', email: 'someone@example.test' })
    .setProtectedHeader({ alg: 'ES256', kid: 'key-1' })
    .setIssuer(issuer)
    .setAudience('authenticated')
    .setSubject(randomUUID())
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .sign(key)
}

/** Counts real ES256 signature checks: the work the cache saves. */
function countSignatureChecks() {
  return vi.spyOn(crypto.subtle, 'verify')
}

async function refusal(verify: Promise<unknown>) {
  const error = await verify.then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(AppError)
  const { code, message } = error as AppError
  return { code, message }
}

describe('createTokenVerifier', () => {
  it('checks a token’s signature once, then answers its next requests from the cache', async () => {
    const tokens = verifier()
    const token = await userToken()
    const checks = countSignatureChecks()

    const first = await tokens.verify(token)
    const second = await tokens.verify(token)

    expect(checks).toHaveBeenCalledTimes(1)
    expect(second).toBe(first)
    expect(first).toMatchObject({ role: 'authenticated', iss: issuer })
  })

  it('checks every signature when the cache is off', async () => {
    const tokens = verifier(0)
    const token = await userToken()
    const checks = countSignatureChecks()

    await tokens.verify(token)
    await tokens.verify(token)

    expect(checks).toHaveBeenCalledTimes(2)
  })

  it('refuses a cached token once it has expired, as an uncached check would', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const issuedAt = Date.UTC(2030, 0, 1, 12, 0, 0)
    vi.setSystemTime(issuedAt)
    const exp = issuedAt / 1000 + 60
    const token = await userToken({ expiresAt: exp })
    const cached = verifier()
    const uncached = verifier(0)
    await cached.verify(token)
    const checks = countSignatureChecks()

    vi.setSystemTime(exp * 1000 - 1)
    await expect(cached.verify(token)).resolves.toMatchObject({ exp })
    vi.setSystemTime(exp * 1000)
    const fromCache = await refusal(cached.verify(token))
    expect(checks).not.toHaveBeenCalled()

    expect(fromCache).toEqual({ code: 'unauthorized', message: 'the access token has expired' })
    expect(await refusal(uncached.verify(token))).toEqual(fromCache)
    vi.setSystemTime(exp * 1000 - 1)
    await expect(uncached.verify(token)).resolves.toMatchObject({ exp })
  })

  it('still refuses a forged or altered token after the genuine one was cached', async () => {
    const tokens = verifier()
    const genuine = await userToken()
    await tokens.verify(genuine)
    const [header, payload, signature] = genuine.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub: string }
    const otherSubject = Buffer.from(JSON.stringify({ ...claims, sub: randomUUID() })).toString(
      'base64url',
    )
    const flipped = `${signature.at(0) === 'A' ? 'B' : 'A'}${signature.slice(1)}`
    const unsigned = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')
    const checks = countSignatureChecks()

    for (const forged of [
      `${header}.${otherSubject}.${signature}`,
      `${header}.${payload}.${flipped}`,
      `${unsigned}.${payload}.`,
      await userToken({ key: otherKey }),
    ]) {
      expect(await refusal(tokens.verify(forged))).toEqual({
        code: 'unauthorized',
        message: 'the access token is invalid',
      })
      // A refusal is not remembered: the same forgery is checked again.
      await expect(tokens.verify(forged)).rejects.toThrow(AppError)
    }
    expect(checks.mock.calls.length).toBeGreaterThanOrEqual(6)
    await expect(tokens.verify(genuine)).resolves.toMatchObject({ sub: claims.sub })
  })

  it('keeps at most cacheSize tokens, dropping the least recently used', async () => {
    const tokens = verifier(2)
    const [a, b, c] = await Promise.all([userToken(), userToken(), userToken()])
    const checks = countSignatureChecks()

    await tokens.verify(a)
    await tokens.verify(b)
    await tokens.verify(a) // a is now the most recently used
    await tokens.verify(c) // evicts b
    expect(checks).toHaveBeenCalledTimes(3)

    await tokens.verify(a)
    await tokens.verify(c)
    expect(checks).toHaveBeenCalledTimes(3)

    await tokens.verify(b) // checked again, and evicts a
    await tokens.verify(a)
    expect(checks).toHaveBeenCalledTimes(5)
  })
})
