import { authStore, type Database } from '@parley/db'
import type { VerifiedClaims } from '@parley/schema/contracts'
import type { BootstrapAdminToken } from '../auth-local/bootstrap-admin.ts'
import { AppError, notFound } from '../errors.ts'

/**
 * Gives the caller the admin role in `app_metadata` (the auth server's own data, hence the
 * service path) when they present the bootstrap admin token; their next token carries it.
 */
export async function claimAdmin(
  db: Database,
  bootstrap: BootstrapAdminToken | undefined,
  claims: VerifiedClaims,
  token: string,
): Promise<void> {
  const wait = bootstrap?.failures.retryAfter(claims.sub) ?? 0
  if (wait > 0) {
    throw new AppError('rate_limited', 'too many wrong bootstrap admin tokens; try again later', {
      headers: { 'Retry-After': String(wait) },
    })
  }
  if (!bootstrap?.take(token)) {
    bootstrap?.failures.hit(claims.sub)
    throw new AppError(
      'forbidden',
      'that is not the bootstrap admin token (a generated one works once; PARLEY_BOOTSTRAP_ADMIN_TOKEN sets your own)',
    )
  }
  try {
    await db.asService(async (tx) => {
      const user = await authStore.getAuthUser(tx, claims.sub)
      if (!user) throw notFound('user')
      await authStore.updateAppMetadata(tx, user.id, { ...user.rawAppMetaData, role: 'admin' })
    })
  } catch (error) {
    bootstrap.giveBack()
    throw error
  }
  await bootstrap.persistSpent()
}
