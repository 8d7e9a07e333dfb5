import { readdir, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

const mb = 1024 * 1024

/** PGlite's own `shared_buffers`, kept for every database of less than ~400 MB. */
export const minCacheMb = 128
/** Well inside the 2 GB of memory that PGlite's WebAssembly can address. */
export const maxCacheMb = 1024

/**
 * The embedded database's buffer cache (`shared_buffers`, in MB) for tables and indexes that
 * take `dataBytes` on disk: a third of them, from 128 MB up to 1 GB and at most an eighth of the
 * machine's memory, in steps of 16 MB. PGlite reads each page its cache misses through
 * WebAssembly's file layer, ~20 µs a page (100 nearest passages of 100,000 read 3,386 pages in
 * 80 ms; the same search with every page cached took 12-15 ms), so an index larger than the
 * cache (the vector index of 140,000 passages takes 273 MB) is read again on every search. The
 * whole cache is resident from the start: databases of less than ~400 MB keep PGlite's 128 MB.
 */
export function embeddedCacheMb(dataBytes: number, totalMemoryBytes = os.totalmem()): number {
  const ceiling = Math.min(maxCacheMb, Math.floor(totalMemoryBytes / 8 / mb))
  const wanted = Math.floor(dataBytes / 3 / mb / 16) * 16
  return Math.max(minCacheMb, Math.min(wanted, ceiling))
}

/** The bytes of the tables and indexes in a PGlite data folder (`base/`); 0 for a new one. */
export async function embeddedDataBytes(dataDir: string): Promise<number> {
  const base = path.join(dataDir, 'base')
  const entries = await readdir(base, { recursive: true, withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return []
      throw error
    },
  )
  const sizes = await Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => (await stat(path.join(entry.parentPath, entry.name))).size),
  )
  return sizes.reduce((sum, size) => sum + size, 0)
}
