import { randomUUID } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { FileStorage } from './index.ts'
import { checkedKey, checkedOwner, isOwnerId } from './keys.ts'

/** Originals in a folder (the data folder's `files/`), one subfolder per owner. */
export class LocalFileStorage implements FileStorage {
  readonly #root: string

  constructor(directory: string) {
    this.#root = path.resolve(directory)
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const target = this.#path(key)
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 })
    // Written beside its place, then renamed over it: a crash leaves the old file or the new one.
    const temporary = `${target}.${randomUUID()}.tmp`
    try {
      await writeFile(temporary, bytes, { mode: 0o600, flush: true })
      await rename(temporary, target)
    } catch (error) {
      await rm(temporary, { force: true })
      throw error
    }
  }

  async get(key: string): Promise<Uint8Array<ArrayBuffer> | null> {
    try {
      return new Uint8Array(await readFile(this.#path(key)))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.#path(key), { force: true })
  }

  async deleteOwner(ownerId: string): Promise<void> {
    await rm(path.join(this.#root, checkedOwner(ownerId)), { recursive: true, force: true })
  }

  async listOwners(): Promise<string[]> {
    try {
      const entries = await readdir(this.#root, { withFileTypes: true })
      return entries
        .filter((entry) => entry.isDirectory() && isOwnerId(entry.name))
        .map((e) => e.name)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
  }

  #path(key: string): string {
    return path.join(this.#root, ...checkedKey(key).split('/'))
  }
}
