import type { VerifiedClaims } from '@parley/schema/contracts'
import {
  createLocalJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose'
import { LRUCache } from 'lru-cache'
import { AppError } from '../errors.ts'
import { createStaleTolerantJwks, type RemoteJwksOptions } from './remote-jwks.ts'

/** The audience Supabase Auth (and the embedded auth) put in user access tokens. */
export const accessTokenAudience = 'authenticated'

export interface TokenVerifier {
  /** The claims of a valid user access token; throws `unauthorized` otherwise. */
  verify(token: string): Promise<VerifiedClaims>
}

export type VerificationKeys =
  /** The embedded auth server's own public keys. */
  | { kind: 'local'; jwks: JSONWebKeySet; issuer: string }
  /** A Supabase project: its JWKS (ES256/RS256), plus the legacy HS256 secret when given. */
  | { kind: 'supabase'; url: string; jwtSecret?: string | undefined; jwksUrl?: string }

export interface TokenVerifierOptions {
  /** Tokens remembered, least recently used dropped first (default 10,000); 0 turns it off. */
  cacheSize?: number
  /** Accept Supabase anonymous users (`is_anonymous: true`); refused by default. */
  allowAnonymous?: boolean
  /** How the remote JWKS (Supabase mode) is cached. */
  jwks?: RemoteJwksOptions
  /** The clock expiry is checked against, in ms since the epoch (tests move it). */
  now?: () => number
}

/** A verified token's claims, remembered until its `exp` (seconds since the epoch). */
interface Verified {
  claims: VerifiedClaims
  exp: number
}

/**
 * One verification path for both modes: algorithms pinned, issuer and audience checked,
 * `alg: none` and unknown algorithms refused, and only user tokens (role `authenticated`) accepted.
 * A token that passed is remembered by its exact string, so a client's next requests skip the
 * signature check until the token expires; a failure is never remembered.
 */
export function createTokenVerifier(
  keys: VerificationKeys,
  { cacheSize = 10_000, allowAnonymous = false, jwks, now = Date.now }: TokenVerifierOptions = {},
): TokenVerifier {
  const { getKey, algorithms, issuer } = keyResolution(keys, jwks)
  const verified = cacheSize > 0 ? new LRUCache<string, Verified>({ max: cacheSize }) : undefined

  async function verifyUncached(token: string): Promise<Verified> {
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, getKey, {
        algorithms,
        issuer,
        audience: accessTokenAudience,
        requiredClaims: ['sub', 'exp'],
        currentDate: new Date(now()),
      }))
    } catch (error) {
      if (error instanceof AppError) throw error
      throw new AppError('unauthorized', describe(error), { cause: error })
    }
    if (
      payload.role !== 'authenticated' ||
      typeof payload.sub !== 'string' ||
      typeof payload.exp !== 'number'
    ) {
      throw new AppError('unauthorized', 'the token is not a user access token')
    }
    if (payload.is_anonymous === true && !allowAnonymous) {
      throw new AppError(
        'anonymous_not_allowed',
        'anonymous sign-ins are not accepted here: sign in with an account',
      )
    }
    // Frozen: one cached object is handed to every request that presents this token.
    return { claims: Object.freeze(payload as VerifiedClaims), exp: payload.exp }
  }

  return {
    async verify(token) {
      let entry = verified?.get(token)
      // The same test as jose's: expired once `exp` is at or before the current whole second.
      if (entry && entry.exp <= Math.floor(now() / 1000)) {
        verified?.delete(token)
        throw new AppError('unauthorized', 'the access token has expired')
      }
      if (!entry) {
        entry = await verifyUncached(token)
        verified?.set(token, entry)
      }
      // No revocation check: a signed-out or revoked session's token works until it expires,
      // which is why access tokens are short-lived (PARLEY_ACCESS_TOKEN_TTL, docs/security.md). A
      // disabled account is refused by the database as `withUser` sets the claims.
      return entry.claims
    },
  }
}

function keyResolution(
  keys: VerificationKeys,
  jwksOptions: RemoteJwksOptions = {},
): {
  getKey: JWTVerifyGetKey
  algorithms: string[]
  issuer: string
} {
  if (keys.kind === 'local') {
    return { getKey: createLocalJWKSet(keys.jwks), algorithms: ['ES256'], issuer: keys.issuer }
  }
  const issuer = `${keys.url}/auth/v1`
  const jwks = createStaleTolerantJwks(
    new URL(keys.jwksUrl ?? `${issuer}/.well-known/jwks.json`),
    jwksOptions,
  )
  const secret = keys.jwtSecret ? new TextEncoder().encode(keys.jwtSecret) : undefined
  return {
    getKey: async (header, token) => {
      if (header.alg === 'HS256' && secret) return secret
      return jwks(header, token)
    },
    algorithms: secret ? ['ES256', 'RS256', 'HS256'] : ['ES256', 'RS256'],
    issuer,
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the access token has expired'
  if (error instanceof errors.JWTClaimValidationFailed)
    return 'the access token is not for this API'
  return 'the access token is invalid'
}
