import type { VerifiedClaims } from '@parley/schema/contracts'
import type { Logger } from 'pino'
import type { AppDeps } from './deps.ts'

/** What middleware puts on the context for the handlers after it. */
export interface AppEnv {
  Variables: {
    requestId: string
    logger: Logger
    deps: AppDeps
    /** Set by the auth middleware on protected routes. */
    claims: VerifiedClaims
    /** Set once the request was counted against the caller's rate limits. */
    rateCounted?: boolean
  }
}
