import { authStore, type Database, type Tx } from '@parley/db'
import { GoTrueError } from './gotrue-error.ts'
import { hashRefreshToken, type LocalAuthSettings, successorRefreshToken } from './sessions.ts'

type AuthUser = authStore.AuthUserRow

export type RefreshOutcome =
  | { kind: 'rotated'; user: AuthUser; sessionId: string; refreshToken: string }
  | { kind: 'reused' }
  | { kind: 'not_found' }

/**
 * Rotates a refresh token. A token rotated less than `refreshTokenReuseSeconds` ago (two tabs
 * refreshing at once, a retry after a lost response) gets the same successor again, as long as
 * that successor is still live. Any other reuse means the token leaked or was replayed: the
 * whole session (every token descended from the same sign-in) is revoked.
 */
export async function rotateRefreshToken(
  db: Database,
  settings: LocalAuthSettings,
  presented: string,
  now: () => number,
): Promise<RefreshOutcome> {
  const successor = successorRefreshToken(settings, presented)
  return db.asService(async (tx) => {
    const row = await authStore.findRefreshTokenForUpdate(tx, hashRefreshToken(presented))
    if (!row?.sessionId || !row.userId) return { kind: 'not_found' }
    if (row.revoked) {
      const since = now() - row.updatedAt.getTime()
      const live =
        since <= settings.refreshTokenReuseSeconds * 1000 &&
        (await liveSuccessor(tx, successor, row.token))
      if (!live) {
        await authStore.deleteSession(tx, row.sessionId)
        return { kind: 'reused' }
      }
    }
    const user = await authStore.getAuthUser(tx, row.userId)
    if (!user || user.deletedAt || isBanned(user.bannedUntil, now)) {
      await authStore.deleteSession(tx, row.sessionId)
      return { kind: 'not_found' }
    }
    if (!row.revoked) {
      await authStore.revokeRefreshToken(tx, row.id)
      await authStore.insertRefreshToken(tx, {
        tokenHash: hashRefreshToken(successor),
        userId: user.id,
        sessionId: row.sessionId,
        parentHash: row.token,
      })
    }
    return { kind: 'rotated', user, sessionId: row.sessionId, refreshToken: successor }
  })
}

async function liveSuccessor(tx: Tx, successor: string, parentHash: string): Promise<boolean> {
  const row = await authStore.findRefreshToken(tx, hashRefreshToken(successor))
  return row !== null && !row.revoked && row.parent === parentHash
}

export const isBanned = (until: Date | null, now: () => number = Date.now) =>
  until !== null && until.getTime() > now()

/** The GoTrue error for a refresh that did not rotate. */
export function refreshRefused(outcome: Exclude<RefreshOutcome, { kind: 'rotated' }>) {
  return outcome.kind === 'reused'
    ? new GoTrueError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used')
    : new GoTrueError(
        400,
        'refresh_token_not_found',
        'Invalid Refresh Token: Refresh Token Not Found',
      )
}
