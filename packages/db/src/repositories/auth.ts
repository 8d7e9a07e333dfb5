import { randomUUID } from 'node:crypto'
import { and, eq, inArray, ne, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Tx } from '../client.ts'
import { authRefreshTokens, authSessions, authUsers } from '../compat/auth-tables.ts'
import { DbError, parseInput } from '../errors.ts'

// Storage of the embedded auth server (Supabase mode uses Supabase Auth instead). These
// functions run inside `asService`: the auth server, like GoTrue, is not acting as a user.

export type AuthUserRow = typeof authUsers.$inferSelect
export type AuthSessionRow = typeof authSessions.$inferSelect
export type RefreshTokenRow = typeof authRefreshTokens.$inferSelect

const newAuthUser = z.strictObject({
  id: z.uuid().optional(),
  email: z.email().max(255),
  encryptedPassword: z.string().min(1).max(255),
  appMetadata: z.record(z.string(), z.unknown()).default({}),
  userMetadata: z.record(z.string(), z.unknown()).default({}),
})
export type NewAuthUser = z.input<typeof newAuthUser>

export async function insertAuthUser(tx: Tx, input: NewAuthUser): Promise<AuthUserRow> {
  const values = parseInput(newAuthUser, input)
  const [row] = await tx
    .insert(authUsers)
    .values({
      id: values.id ?? randomUUID(),
      aud: 'authenticated',
      role: 'authenticated',
      email: values.email.toLowerCase(),
      encryptedPassword: values.encryptedPassword,
      emailConfirmedAt: sql`now()`,
      rawAppMetaData: values.appMetadata,
      rawUserMetaData: values.userMetadata,
      isAnonymous: false,
      createdAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .onConflictDoNothing()
    .returning()
  if (!row) throw new DbError('conflict', 'a user with this email address already exists')
  return row
}

export async function findAuthUserByEmail(tx: Tx, email: string): Promise<AuthUserRow | null> {
  const [row] = await tx
    .select()
    .from(authUsers)
    .where(eq(authUsers.email, email.trim().toLowerCase()))
  return row ?? null
}

export async function getAuthUser(tx: Tx, id: string): Promise<AuthUserRow | null> {
  const [row] = await tx
    .select()
    .from(authUsers)
    .where(eq(authUsers.id, parseInput(z.uuid(), id)))
  return row ?? null
}

export async function recordSignIn(tx: Tx, userId: string): Promise<void> {
  await tx
    .update(authUsers)
    .set({ lastSignInAt: sql`now()`, updatedAt: sql`now()` })
    .where(eq(authUsers.id, userId))
}

export async function updateAppMetadata(
  tx: Tx,
  userId: string,
  appMetadata: Record<string, unknown>,
): Promise<AuthUserRow | null> {
  const [row] = await tx
    .update(authUsers)
    .set({ rawAppMetaData: appMetadata, updatedAt: sql`now()` })
    .where(eq(authUsers.id, userId))
    .returning()
  return row ?? null
}

/** Replaces the user's password hash. */
export async function setPassword(
  tx: Tx,
  userId: string,
  encryptedPassword: string,
): Promise<void> {
  await tx
    .update(authUsers)
    .set({ encryptedPassword, updatedAt: sql`now()` })
    .where(eq(authUsers.id, userId))
}

/** Deletes the user; their profile, conversations and messages go with them by cascade. */
export async function deleteAuthUser(tx: Tx, id: string): Promise<boolean> {
  const rows = await tx
    .delete(authUsers)
    .where(eq(authUsers.id, parseInput(z.uuid(), id)))
    .returning({ id: authUsers.id })
  return rows.length > 0
}

/** Which of `ids` are still users (a sweep tells deleted accounts from live ones). */
export async function existingUserIds(tx: Tx, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return []
  const rows = await tx
    .select({ id: authUsers.id })
    .from(authUsers)
    .where(inArray(authUsers.id, parseInput(z.array(z.uuid()), ids)))
  return rows.map((row) => row.id)
}

export async function createSession(
  tx: Tx,
  { userId, userAgent }: { userId: string; userAgent?: string | null },
): Promise<AuthSessionRow> {
  const [row] = await tx
    .insert(authSessions)
    .values({
      id: randomUUID(),
      userId,
      userAgent: userAgent?.slice(0, 500) ?? null,
      createdAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .returning()
  if (!row) throw new Error('insert returned no row')
  return row
}

export async function getSession(tx: Tx, id: string): Promise<AuthSessionRow | null> {
  const [row] = await tx.select().from(authSessions).where(eq(authSessions.id, id))
  return row ?? null
}

/** Ends a session; its refresh tokens are deleted with it, so none can be used again. */
export async function deleteSession(tx: Tx, id: string): Promise<void> {
  await tx.delete(authSessions).where(eq(authSessions.id, id))
}

/** Ends every session of the user, or every one but `except` (sign out elsewhere). */
export async function deleteUserSessions(
  tx: Tx,
  userId: string,
  { except }: { except?: string | undefined } = {},
): Promise<void> {
  await tx
    .delete(authSessions)
    .where(and(eq(authSessions.userId, userId), except ? ne(authSessions.id, except) : undefined))
}

export async function insertRefreshToken(
  tx: Tx,
  token: { tokenHash: string; userId: string; sessionId: string; parentHash?: string | null },
): Promise<RefreshTokenRow> {
  const [row] = await tx
    .insert(authRefreshTokens)
    .values({
      token: token.tokenHash,
      userId: token.userId,
      sessionId: token.sessionId,
      parent: token.parentHash ?? null,
      revoked: false,
      createdAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .returning()
  if (!row) throw new Error('insert returned no row')
  await tx
    .update(authSessions)
    .set({ refreshedAt: sql`now()`, updatedAt: sql`now()` })
    .where(eq(authSessions.id, token.sessionId))
  return row
}

/** Locks the token's row so two refreshes of one token are decided one after the other. */
export async function findRefreshTokenForUpdate(
  tx: Tx,
  tokenHash: string,
): Promise<RefreshTokenRow | null> {
  const [row] = await tx
    .select()
    .from(authRefreshTokens)
    .where(eq(authRefreshTokens.token, tokenHash))
    .for('update')
  return row ?? null
}

export async function findRefreshToken(tx: Tx, tokenHash: string): Promise<RefreshTokenRow | null> {
  const [row] = await tx
    .select()
    .from(authRefreshTokens)
    .where(eq(authRefreshTokens.token, tokenHash))
  return row ?? null
}

export async function revokeRefreshToken(tx: Tx, id: number): Promise<void> {
  await tx
    .update(authRefreshTokens)
    .set({ revoked: true, updatedAt: sql`now()` })
    .where(and(eq(authRefreshTokens.id, id), eq(authRefreshTokens.revoked, false)))
}
