import { createMiddleware } from 'hono/factory'
import type { TokenVerifier } from '../auth/verify-token.ts'
import type { AppEnv } from '../env.ts'
import { unauthorized } from '../errors.ts'

/** Reads `Authorization: Bearer <token>` and attaches the verified claims. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i)
  return match?.[1]
}

export function authenticate(verifier: TokenVerifier) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const token = bearerToken(c.req.header('authorization'))
    if (!token) throw unauthorized()
    c.set('claims', await verifier.verify(token))
    await next()
  })
}
