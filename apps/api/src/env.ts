import type { VerifiedClaims } from '@parley/schema/contracts'
import type { Logger } from 'pino'
import type { AppDeps } from './deps.ts'
import type { HeldStreamSlot } from './services/stream-limiter.ts'

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
    /** On routes that stream a reply: the stream slot taken with the rate limits. */
    streamSlot?: HeldStreamSlot
  }
}
