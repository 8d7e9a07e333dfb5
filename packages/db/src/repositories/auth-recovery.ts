import { and, eq, gt, sql } from 'drizzle-orm'
import type { Tx } from '../client.ts'
import { authUsers } from '../compat/auth-tables.ts'
import type { AuthUserRow } from './auth.ts'

// Password reset tokens of the embedded auth server, kept where GoTrue keeps them
// (`auth.users.recovery_token`, as a hash). One per user: a new link replaces the last.

/** Stores the hash of a new reset token for the user; false when there is no such user. */
export async function setRecoveryToken(
  tx: Tx,
  userId: string,
  tokenHash: string,
): Promise<boolean> {
  const rows = await tx
    .update(authUsers)
    .set({ recoveryToken: tokenHash, recoverySentAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(authUsers.id, userId), sql`${authUsers.deletedAt} is null`))
    .returning({ id: authUsers.id })
  return rows.length > 0
}

/**
 * Uses up a reset token issued less than `maxAgeSeconds` ago: the user it belongs to, or null.
 * One statement, so two tabs racing with the same link get one session between them.
 */
export async function consumeRecoveryToken(
  tx: Tx,
  tokenHash: string,
  maxAgeSeconds: number,
): Promise<AuthUserRow | null> {
  const [row] = await tx
    .update(authUsers)
    .set({ recoveryToken: '', updatedAt: sql`now()` })
    .where(
      and(
        eq(authUsers.recoveryToken, tokenHash),
        gt(authUsers.recoverySentAt, sql`now() - make_interval(secs => ${maxAgeSeconds})`),
        sql`${authUsers.deletedAt} is null`,
      ),
    )
    .returning()
  return row ?? null
}
