import { createHash, randomBytes } from 'node:crypto'
import { authRecovery, type Database } from '@parley/db'
import type { Context, Hono } from 'hono'
import { z } from 'zod'
import { GoTrueError } from './gotrue-error.ts'
import { type LocalAuthSettings, startSession } from './sessions.ts'

/** How long a reset link works. */
export const recoveryTtlSeconds = 60 * 60

/** How long after following a reset link the password may be changed without the old one. */
export const recoveryWindowSeconds = 15 * 60

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

/**
 * A one-time password reset link for the user (an admin hands it over: the embedded auth sends
 * no mail). A new link replaces the user's last one. Null when there is no such user.
 */
export async function createRecoveryLink(
  db: Database,
  userId: string,
  webOrigin: string,
): Promise<{ link: string; expiresAt: string } | null> {
  const token = randomBytes(32).toString('base64url')
  const stored = await db.asService((tx) =>
    authRecovery.setRecoveryToken(tx, userId, hashToken(token)),
  )
  if (!stored) return null
  const fragment = new URLSearchParams({ token_hash: token, type: 'recovery' })
  return {
    link: `${webOrigin}/reset-password#${fragment}`,
    expiresAt: new Date(Date.now() + recoveryTtlSeconds * 1000).toISOString(),
  }
}

const verifyBody = z.looseObject({
  type: z.literal('recovery'),
  token_hash: z.string().min(1).max(200),
})

/**
 * GoTrue's `POST /verify` for reset links (`supabase.auth.verifyOtp({ token_hash, type:
 * 'recovery' })`): uses the token up and starts a session marked `recovery`, in which the
 * password may be set without the old one for `recoveryWindowSeconds`.
 */
export function recoveryRoutes(
  app: Hono,
  deps: { db: Database; settings: LocalAuthSettings; limit: (c: Context) => Promise<void> },
) {
  app.post('/verify', async (c) => {
    await deps.limit(c)
    const parsed = verifyBody.safeParse(await c.req.json().catch(() => null))
    if (!parsed.success) {
      throw new GoTrueError(400, 'validation_failed', 'Only recovery links can be verified here')
    }
    const user = await deps.db.asService((tx) =>
      authRecovery.consumeRecoveryToken(tx, hashToken(parsed.data.token_hash), recoveryTtlSeconds),
    )
    if (!user) throw new GoTrueError(403, 'otp_expired', 'Email link is invalid or has expired')
    return c.json(
      await startSession(deps.db, deps.settings, user, c.req.header('user-agent'), 'recovery'),
    )
  })
}

/** True when the token's session was started by a reset link within the recovery window. */
export function inRecoveryWindow(claims: object, nowMs: number): boolean {
  const { amr } = claims as { amr?: unknown }
  if (!Array.isArray(amr)) return false
  return amr.some(
    (entry: { method?: unknown; timestamp?: unknown }) =>
      entry?.method === 'recovery' &&
      typeof entry.timestamp === 'number' &&
      nowMs / 1000 - entry.timestamp <= recoveryWindowSeconds,
  )
}
