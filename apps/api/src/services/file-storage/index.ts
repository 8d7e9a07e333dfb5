import type { StorageSettings } from '../../config.ts'
import { LocalFileStorage } from './local.ts'
import { S3FileStorage } from './s3.ts'

export { checkedKey, checkedOwner, originalKey } from './keys.ts'

/** Where uploaded originals are kept: the data folder or an S3-compatible bucket. */
export interface FileStorage {
  /** Stores `bytes` under `key`, replacing what was there; readers never see half a file. */
  put(key: string, bytes: Uint8Array, options: { contentType: string }): Promise<void>
  /** The bytes stored under `key`, or null when there are none. */
  get(key: string): Promise<Uint8Array<ArrayBuffer> | null>
  /** Removes what is stored under `key`; nothing there is not an error. */
  delete(key: string): Promise<void>
  /** Removes every original of the owner (an account being deleted); none left is not an error. */
  deleteOwner(ownerId: string): Promise<void>
  /** The ids of the owners with originals stored (a sweep finds those of deleted accounts). */
  listOwners(): Promise<string[]>
}

export function createFileStorage(settings: StorageSettings): FileStorage {
  return settings.kind === 'local'
    ? new LocalFileStorage(settings.directory)
    : new S3FileStorage(settings)
}
