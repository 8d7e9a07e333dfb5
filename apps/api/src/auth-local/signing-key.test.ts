import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { authStore } from '@parley/db'
import type { JWK } from 'jose'
import { afterAll, describe, expect, it } from 'vitest'
import { createTokenVerifier } from '../auth/verify-token.ts'
import { loadConfig } from '../config.ts'
import { type LocalAuthSettings, signAccessToken, successorRefreshToken } from './sessions.ts'
import {
  loadOrCreateSigningKey,
  newSigningKeyJson,
  type SigningKey,
  signingKeyFromConfig,
} from './signing-key.ts'

const issuer = 'parley-embedded-auth'
const folders: string[] = []
afterAll(() => Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }))))

const user = {
  id: randomUUID(),
  email: 'ada@example.test',
  rawAppMetaData: {},
  rawUserMetaData: {},
}

/** One API instance's embedded auth, as far as tokens go. */
const instance = (signingKey: SigningKey): LocalAuthSettings => ({
  signingKey,
  issuer,
  accessTokenTtlSeconds: 600,
  refreshTokenReuseSeconds: 10,
  signup: { mode: 'open' },
})

const tokenFrom = async (settings: LocalAuthSettings) =>
  (await signAccessToken(settings, user as unknown as authStore.AuthUserRow, randomUUID())).token

const acceptedBy = (settings: LocalAuthSettings, token: string) =>
  createTokenVerifier({ kind: 'local', jwks: settings.signingKey.jwks, issuer })
    .verify(token)
    .then(
      () => true,
      () => false,
    )

/** What `loadConfig` makes of PARLEY_AUTH_SIGNING_KEYS. */
const configured = (value: string) => {
  const auth = loadConfig({ PARLEY_AUTH_SIGNING_KEYS: value }).auth
  if (auth.kind !== 'local' || !auth.signingKeys) throw new Error('keys were read')
  return auth.signingKeys as JWK[]
}

describe('signing keys shared by every instance', () => {
  it('makes two instances with their own data folders refuse each other’s tokens without it', async () => {
    const folder = () => mkdtemp(path.join(os.tmpdir(), 'parley-keys-'))
    const [a, b] = await Promise.all([folder(), folder()])
    folders.push(a, b)
    const first = instance(await loadOrCreateSigningKey(a))
    const second = instance(await loadOrCreateSigningKey(b))
    expect(await acceptedBy(second, await tokenFrom(first))).toBe(false)
  })

  it('lets instances configured with the same key accept each other’s tokens and agree on refresh successors', async () => {
    const keys = configured(await newSigningKeyJson())
    const first = instance(await signingKeyFromConfig(keys))
    const second = instance(await signingKeyFromConfig(keys))
    expect(await acceptedBy(second, await tokenFrom(first))).toBe(true)
    expect(await acceptedBy(first, await tokenFrom(second))).toBe(true)
    expect(successorRefreshToken(first, 'presented')).toBe(
      successorRefreshToken(second, 'presented'),
    )
  })

  it('rotates: the new key signs, tokens signed with the old one stay valid, the private halves stay private', async () => {
    const old = await newSigningKeyJson()
    const before = instance(await signingKeyFromConfig(configured(old)))
    const oldToken = await tokenFrom(before)

    const rotated = configured(`[${await newSigningKeyJson()}, ${old}]`)
    const after = instance(await signingKeyFromConfig(rotated))
    expect(await acceptedBy(after, oldToken)).toBe(true)
    const newToken = await tokenFrom(after)
    expect(await acceptedBy(after, newToken)).toBe(true)
    expect(await acceptedBy(before, newToken)).toBe(false)
    expect(after.signingKey.jwks.keys).toHaveLength(2)
    expect(after.signingKey.jwks.keys.every((key) => !('d' in key))).toBe(true)
  })

  it('refuses a setting that is not a private ES256 key, and says what it wants', async () => {
    const { d: _private, ...publicOnly } = JSON.parse(await newSigningKeyJson()) as JWK
    for (const value of ['not json', JSON.stringify(publicOnly), '[]', '{"kty":"RSA"}']) {
      expect(() => loadConfig({ PARLEY_AUTH_SIGNING_KEYS: value })).toThrow(
        /PARLEY_AUTH_SIGNING_KEYS/,
      )
    }
  })
})
