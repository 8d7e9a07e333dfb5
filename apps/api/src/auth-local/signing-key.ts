import { randomUUID, type webcrypto } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK } from 'jose'

export interface SigningKey {
  kid: string
  privateKey: webcrypto.CryptoKey
  /** The public half, as served at `/auth/v1/.well-known/jwks.json`. */
  jwks: JSONWebKeySet
}

/**
 * The embedded auth server's ES256 key: generated on first start and kept (owner-only) in the
 * data folder, so tokens stay valid across restarts.
 */
export async function loadOrCreateSigningKey(dataDir: string): Promise<SigningKey> {
  const file = path.join(dataDir, 'auth', 'signing-key.jwk.json')
  let jwk: JWK
  try {
    jwk = JSON.parse(await readFile(file, 'utf8')) as JWK
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    jwk = await generateSigningJwk()
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
    const partial = `${file}.${process.pid}.tmp`
    await writeFile(partial, JSON.stringify(jwk), { mode: 0o600 })
    await rename(partial, file)
  }
  return fromJwk(jwk)
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
  return { kid: jwk.kid, privateKey, jwks: { keys: [publicJwk] } }
}
