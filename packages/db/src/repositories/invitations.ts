import { invitations } from '@parley/schema/tables'
import { and, eq, gt, isNull, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Tx } from '../client.ts'
import { parseInput } from '../errors.ts'

export type InvitationRow = typeof invitations.$inferSelect

const newInvitation = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email().max(255)),
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  expiresAt: z.date(),
})

/** Run as an admin (`withUser`): RLS refuses everyone else. */
export async function createInvitation(
  tx: Tx,
  input: z.input<typeof newInvitation>,
): Promise<InvitationRow> {
  const values = parseInput(newInvitation, input)
  const [row] = await tx.insert(invitations).values(values).returning()
  if (!row) throw new Error('insert returned no row')
  return row
}

/**
 * Marks the invitation used by `userId`, if it exists, is unused, unexpired and was made for
 * `email`. Run by the auth server (`asService`) in the transaction that creates the user.
 */
export async function consumeInvitation(
  tx: Tx,
  { tokenHash, email, userId }: { tokenHash: string; email: string; userId: string },
): Promise<boolean> {
  const rows = await tx
    .update(invitations)
    .set({ usedAt: sql`now()`, usedBy: userId })
    .where(
      and(
        eq(invitations.tokenHash, tokenHash),
        eq(invitations.email, email.trim().toLowerCase()),
        isNull(invitations.usedAt),
        gt(invitations.expiresAt, sql`now()`),
      ),
    )
    .returning({ id: invitations.id })
  return rows.length > 0
}
