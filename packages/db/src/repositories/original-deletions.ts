import { uuid } from '@parley/schema/contracts'
import { z } from 'zod'
import type { Database } from '../client.ts'
import { parseInput } from '../errors.ts'

/**
 * Originals still to remove from storage (`parley_private.original_deletions`). Deleting a file
 * row notes its key by trigger, in the same transaction; these statements run as the connecting
 * user, since no API role may touch the notes.
 */

/** An original to remove: where it is stored and whose it was. */
export interface OriginalDeletion {
  storageKey: string
  ownerId: string
}

const storageKey = z.string().min(1).max(1024)
const deletion = z.strictObject({ storageKey, ownerId: uuid })

interface NoteRow extends Record<string, unknown> {
  storage_key: string
  owner_id: string
}

/**
 * Notes an original that has no file row to note it: an upload whose row was never written and
 * whose removal failed.
 */
export async function noteOriginalDeletion(db: Database, input: OriginalDeletion): Promise<void> {
  const valid = parseInput(deletion, input)
  await db.ownerStatement(
    `insert into parley_private.original_deletions (storage_key, owner_id) values ($1, $2::uuid)
     on conflict (storage_key) do nothing`,
    [valid.storageKey, valid.ownerId],
  )
}

/** The `limit` oldest originals still to remove, noted before `notedBefore`. */
export async function dueOriginalDeletions(
  db: Database,
  { notedBefore, limit }: { notedBefore: Date; limit: number },
): Promise<OriginalDeletion[]> {
  const rows = await db.ownerStatement<NoteRow>(
    `select storage_key, owner_id from parley_private.original_deletions
     where noted_at < $1 order by noted_at, storage_key limit $2`,
    [notedBefore.toISOString(), parseInput(z.number().int().min(1).max(10_000), limit)],
  )
  return rows.map((row) => ({ storageKey: row.storage_key, ownerId: row.owner_id }))
}

/** Forgets the notes of originals that are removed now. */
export async function forgetOriginalDeletions(
  db: Database,
  storageKeys: readonly string[],
): Promise<void> {
  if (storageKeys.length === 0) return
  const keys = parseInput(z.array(storageKey), storageKeys)
  await db.ownerStatement(
    `delete from parley_private.original_deletions
     where storage_key in (select jsonb_array_elements_text($1::jsonb))`,
    [JSON.stringify(keys)],
  )
}

/** Forgets every note of an owner whose originals were all removed at once (a deleted account). */
export async function forgetOwnerOriginalDeletions(db: Database, ownerId: string): Promise<void> {
  await db.ownerStatement(
    'delete from parley_private.original_deletions where owner_id = $1::uuid',
    [parseInput(uuid, ownerId)],
  )
}
