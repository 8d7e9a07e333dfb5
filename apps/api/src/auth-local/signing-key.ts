import { hkdfSync, randomUUID, type webcrypto } from 'node:crypto'
import path from 'node:path'
import { exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK } from 'jose'
import { readPrivateFile, writePrivateFile } from './private-file.ts'

export interface SigningKey {
  kid: string
  privateKey: webcrypto.CryptoKey
  /** The public half, as served at `/auth/v1/.well-known/jwks.json`. */
  jwks: JSONWebKeySet
  /** Derived from the private key: the secret refresh-token successors are computed with. */
  refreshSecret: Buffer
}

/**
 * The embedded auth server's ES256 key: generated on first start and kept (owner-only) in the
 * data folder, so tokens stay valid across restarts.
 */
export async function loadOrCreateSigningKey(dataDir: string): Promise<SigningKey> {
  const file = path.join(dataDir, 'auth', 'signing-key.jwk.json')
  const stored = await readPrivateFile(file)
  if (stored) return fromJwk(JSON.parse(stored) as JWK)
  const jwk = await generateSigningJwk()
  await writePrivateFile(file, JSON.stringify(jwk))
  return fromJwk(jwk)
}

/**
 * Keys from configuration, the same on every instance: the first signs, every one verifies, so
 * a new key can be put first while tokens signed with the old one live out their time.
 */
export async function signingKeyFromConfig(keys: readonly JWK[]): Promise<SigningKey> {
  const [current, ...previous] = keys
  if (!current) throw new Error('no signing key given')
  const signing = await fromJwk(current)
  const verifying = previous.map(({ d: _private, ...publicJwk }) => publicJwk)
  return { ...signing, jwks: { keys: [...signing.jwks.keys, ...verifying] } }
}

/** A fresh private key as one line of JSON, for `PARLEY_AUTH_SIGNING_KEYS`. */
export async function newSigningKeyJson(): Promise<string> {
  return JSON.stringify(await generateSigningJwk())
}

/** A key held only in memory (tests). */
export async function createEphemeralSigningKey(): Promise<SigningKey> {
  return fromJwk(await generateSigningJwk())
}

async function generateSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  return { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'ES256', use: 'sig' }
}

async function fromJwk(jwk: JWK): Promise<SigningKey> {
  if (!jwk.kid || !jwk.d) throw new Error('the stored signing key is not a private ES256 JWK')
  const privateKey = (await importJWK(jwk, 'ES256')) as webcrypto.CryptoKey
  const { d: _private, ...publicJwk } = jwk
  const refreshSecret = Buffer.from(
    hkdfSync('sha256', Buffer.from(jwk.d, 'base64url'), '', 'parley refresh token successor', 32),
  )
  return { kid: jwk.kid, privateKey, jwks: { keys: [publicJwk] }, refreshSecret }
}
