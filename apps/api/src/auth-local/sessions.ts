import { createHash, createHmac, randomBytes } from 'node:crypto'
import { authStore, type Database } from '@parley/db'
import { SignJWT } from 'jose'
import { accessTokenAudience } from '../auth/verify-token.ts'
import type { SigningKey } from './signing-key.ts'
import type { SignupPolicy } from './signup-policy.ts'

type AuthUser = authStore.AuthUserRow

export interface LocalAuthSettings {
  signingKey: SigningKey
  issuer: string
  accessTokenTtlSeconds: number
  /** A rotated refresh token presented again within this many seconds gets the same successor. */
  refreshTokenReuseSeconds: number
  signup: SignupPolicy
  /** The clock tokens are issued by, in ms since the epoch (tests move it). */
  now?: () => number
}

export const hashRefreshToken = (token: string) => createHash('sha256').update(token).digest('hex')

const newRefreshToken = () => randomBytes(32).toString('base64url')

/**
 * The token that replaces `presented` when it is rotated: computed, not stored, so a retry or a
 * second tab presenting the same token within the reuse interval can be handed the same one.
 */
export const successorRefreshToken = (settings: LocalAuthSettings, presented: string) =>
  createHmac('sha256', settings.signingKey.refreshSecret).update(presented).digest('base64url')

/** The user as GoTrue returns it. */
export function userJson(user: AuthUser) {
  return {
    id: user.id,
    aud: user.aud ?? accessTokenAudience,
    role: user.role ?? 'authenticated',
    email: user.email ?? '',
    email_confirmed_at: user.emailConfirmedAt?.toISOString() ?? null,
    phone: '',
    confirmed_at: user.emailConfirmedAt?.toISOString() ?? null,
    last_sign_in_at: user.lastSignInAt?.toISOString() ?? null,
    app_metadata: user.rawAppMetaData,
    user_metadata: user.rawUserMetaData,
    identities: [],
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
    is_anonymous: user.isAnonymous,
  }
}

/** How the session was started, as GoTrue's `amr` claim says it: a reset link is `recovery`. */
export type SignInMethod = 'password' | 'recovery'

export async function signAccessToken(
  settings: LocalAuthSettings,
  user: AuthUser,
  sessionId: string,
  method: SignInMethod = 'password',
): Promise<{ token: string; expiresAt: number }> {
  const now = Math.floor((settings.now ?? Date.now)() / 1000)
  const expiresAt = now + settings.accessTokenTtlSeconds
  const token = await new SignJWT({
    email: user.email ?? '',
    phone: '',
    app_metadata: user.rawAppMetaData,
    user_metadata: user.rawUserMetaData,
    role: 'authenticated',
    aal: 'aal1',
    amr: [{ method, timestamp: now }],
    session_id: sessionId,
    is_anonymous: false,
  })
    .setProtectedHeader({ alg: 'ES256', kid: settings.signingKey.kid, typ: 'JWT' })
    .setIssuer(settings.issuer)
    .setAudience(accessTokenAudience)
    .setSubject(user.id)
    .setIssuedAt(now)
    .setExpirationTime(expiresAt)
    .sign(settings.signingKey.privateKey)
  return { token, expiresAt }
}

export interface SessionJson {
  access_token: string
  token_type: 'bearer'
  expires_in: number
  expires_at: number
  refresh_token: string
  user: ReturnType<typeof userJson>
}

/** A new session for the user: a session row, a refresh token (stored hashed) and an access token. */
export async function startSession(
  db: Database,
  settings: LocalAuthSettings,
  user: AuthUser,
  userAgent: string | undefined,
  method: SignInMethod = 'password',
): Promise<SessionJson> {
  const refreshToken = newRefreshToken()
  const session = await db.asService(async (tx) => {
    const created = await authStore.createSession(tx, { userId: user.id, userAgent })
    await authStore.insertRefreshToken(tx, {
      tokenHash: hashRefreshToken(refreshToken),
      userId: user.id,
      sessionId: created.id,
    })
    return created
  })
  return sessionJson(settings, user, session.id, refreshToken, method)
}

export async function sessionJson(
  settings: LocalAuthSettings,
  user: AuthUser,
  sessionId: string,
  refreshToken: string,
  method: SignInMethod = 'password',
): Promise<SessionJson> {
  const access = await signAccessToken(settings, user, sessionId, method)
  return {
    access_token: access.token,
    token_type: 'bearer',
    expires_in: settings.accessTokenTtlSeconds,
    expires_at: access.expiresAt,
    refresh_token: refreshToken,
    user: userJson(user),
  }
}

export { newRefreshToken }
