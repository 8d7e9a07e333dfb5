import type { VerifiedClaims } from '@parley/schema/contracts'
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose'
import { AppError } from '../errors.ts'

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

/**
 * One verification path for both modes: algorithms pinned, issuer and audience checked,
 * `alg: none` and unknown algorithms refused, and only user tokens (role `authenticated`) accepted.
 */
export function createTokenVerifier(keys: VerificationKeys): TokenVerifier {
  let getKey: JWTVerifyGetKey
  let algorithms: string[]
  let issuer: string
  if (keys.kind === 'local') {
    getKey = createLocalJWKSet(keys.jwks)
    algorithms = ['ES256']
    issuer = keys.issuer
  } else {
    issuer = `${keys.url}/auth/v1`
    const jwks = createRemoteJWKSet(new URL(keys.jwksUrl ?? `${issuer}/.well-known/jwks.json`), {
      cooldownDuration: 30_000,
      cacheMaxAge: 600_000,
    })
    const secret = keys.jwtSecret ? new TextEncoder().encode(keys.jwtSecret) : undefined
    algorithms = secret ? ['ES256', 'RS256', 'HS256'] : ['ES256', 'RS256']
    getKey = async (header, token) => {
      if (header.alg === 'HS256' && secret) return secret
      return jwks(header, token)
    }
  }

  return {
    async verify(token) {
      let payload: JWTPayload
      try {
        ;({ payload } = await jwtVerify(token, getKey, {
          algorithms,
          issuer,
          audience: accessTokenAudience,
          requiredClaims: ['sub', 'exp'],
        }))
      } catch (error) {
        throw new AppError('unauthorized', describe(error), { cause: error })
      }
      if (payload.role !== 'authenticated' || typeof payload.sub !== 'string') {
        throw new AppError('unauthorized', 'the token is not a user access token')
      }
      return payload as VerifiedClaims
    },
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the access token has expired'
  if (error instanceof errors.JWTClaimValidationFailed)
    return 'the access token is not for this API'
  return 'the access token is invalid'
}
