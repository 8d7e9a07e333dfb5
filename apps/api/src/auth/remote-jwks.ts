import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose'
import { AppError } from '../errors.ts'

export interface RemoteJwksOptions {
  /** Keys older than this are refreshed in the background while still being used. */
  maxAgeMs?: number
  /** No new fetch sooner than this after the last one (a token with an unknown `kid`, failures). */
  cooldownMs?: number
  timeoutMs?: number
  now?: () => number
}

interface Fetched {
  getKey: ReturnType<typeof createLocalJWKSet>
  at: number
}

/**
 * A remote JWKS that keeps the last good key set: stale keys go on verifying tokens while a
 * refresh is tried in the background, so an outage of the auth server signs nobody out. Only
 * when no key set was ever fetched (or a token names a key that cannot be fetched) does it
 * give up, with `auth_unavailable` (503) rather than a 401 the client would take as a sign-out.
 */
export function createStaleTolerantJwks(
  url: URL,
  {
    maxAgeMs = 600_000,
    cooldownMs = 30_000,
    timeoutMs = 5_000,
    now = Date.now,
  }: RemoteJwksOptions = {},
): JWTVerifyGetKey {
  let current: Fetched | undefined
  let pending: Promise<Fetched> | undefined
  let lastAttempt = Number.NEGATIVE_INFINITY

  const refresh = (): Promise<Fetched> => {
    pending ??= fetchKeys(url, timeoutMs)
      .then((jwks) => {
        current = { getKey: createLocalJWKSet(jwks), at: now() }
        return current
      })
      .finally(() => {
        pending = undefined
      })
    lastAttempt = now()
    return pending
  }
  const refreshOrFail = async (): Promise<Fetched> => {
    if (now() - lastAttempt < cooldownMs && !pending) throw unavailable()
    return refresh().catch((error: unknown) => {
      throw unavailable(error)
    })
  }

  return async (header, token) => {
    const keys = current ?? (await refreshOrFail())
    if (now() - keys.at > maxAgeMs && now() - lastAttempt >= cooldownMs) {
      refresh().catch(() => undefined)
    }
    try {
      return await keys.getKey(header, token)
    } catch (error) {
      // A key we have not seen may be a rotation: fetch once more (within the cool-down).
      if (!(error instanceof errors.JWKSNoMatchingKey) || now() - lastAttempt < cooldownMs) {
        throw error
      }
      return (await refreshOrFail()).getKey(header, token)
    }
  }
}

async function fetchKeys(url: URL, timeoutMs: number): Promise<JSONWebKeySet> {
  const response = await fetch(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(timeoutMs),
  })
  if (!response.ok) throw new Error(`the JWKS endpoint answered ${response.status}`)
  const body = (await response.json()) as Partial<JSONWebKeySet>
  if (!Array.isArray(body.keys)) throw new Error('the JWKS endpoint sent no key set')
  return { keys: body.keys }
}

const unavailable = (cause?: unknown) =>
  new AppError('auth_unavailable', 'the auth server’s signing keys cannot be fetched right now', {
    cause,
  })
