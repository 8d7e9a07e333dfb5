import { type UpdateProfileBody, updateProfileBody } from '@parley/schema/contracts'
import { profiles } from '@parley/schema/tables'
import { eq, sql } from 'drizzle-orm'
import type { Tx } from '../client.ts'
import { parseInput } from '../errors.ts'

export type ProfileRow = typeof profiles.$inferSelect

const caller = sql`(select auth.uid())`

/** The caller's own profile (created at sign-up), or null for a caller without one. */
export async function getOwnProfile(tx: Tx): Promise<ProfileRow | null> {
  const [row] = await tx.select().from(profiles).where(eq(profiles.id, caller))
  return row ?? null
}

export async function updateOwnProfile(
  tx: Tx,
  patch: UpdateProfileBody,
): Promise<ProfileRow | null> {
  const values = parseInput(updateProfileBody, patch)
  const [row] = await tx.update(profiles).set(values).where(eq(profiles.id, caller)).returning()
  return row ?? null
}
