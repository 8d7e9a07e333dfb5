const uuidPattern = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
const keyPattern = new RegExp(`^${uuidPattern}/${uuidPattern}$`)
const ownerPattern = new RegExp(`^${uuidPattern}$`)

/**
 * The key of a file's original: its id under its owner's id. Both are ids the database made,
 * never anything a user typed, so a key can name no other place.
 */
export function originalKey(userId: string, fileId: string): string {
  return checkedKey(`${userId.toLowerCase()}/${fileId.toLowerCase()}`)
}

/** Refuses any key `originalKey` did not make (a storage backend's last line of defence). */
export function checkedKey(key: string): string {
  if (!keyPattern.test(key)) throw new Error('not a file storage key')
  return key
}

/** The owner id whose originals sit under `${ownerId}/`; refuses anything that is not an id. */
export function checkedOwner(ownerId: string): string {
  if (!ownerPattern.test(ownerId)) throw new Error('not a file owner id')
  return ownerId
}

/** True for a name `checkedOwner` accepts (the listing of owners skips anything else). */
export const isOwnerId = (name: string) => ownerPattern.test(name)
