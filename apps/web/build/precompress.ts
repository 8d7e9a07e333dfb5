import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import type { Plugin } from 'vite'

const brotli = promisify(brotliCompress)
const gzipAsync = promisify(gzip)

/** Text formats worth compressing; source maps are left out (only devtools fetch them). */
const compressible = /\.(?:js|mjs|css|html|svg|json|txt|webmanifest)$/
/** Below this, the file fits in one packet anyway. */
const minBytes = 1024

/** The precompressed variants the API serves, by file suffix. */
const encoders: Record<'.br' | '.gz', (source: Buffer) => Promise<Buffer>> = {
  '.br': (source) =>
    brotli(source, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: source.length,
      },
    }),
  '.gz': (source) => gzipAsync(source, { level: constants.Z_BEST_COMPRESSION }),
}

/**
 * Writes `<file>.br` and `<file>.gz` beside every compressible file in `dir` of at least
 * `minBytes`, when smaller than the original; returns the paths written, sorted.
 */
export async function precompressDir(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true })
  const files = names
    .filter((entry) => entry.isFile() && compressible.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
  const written = await Promise.all(
    files.map(async (file) => {
      const source = await readFile(file)
      if (source.length < minBytes) return []
      const variants = await Promise.all(
        Object.entries(encoders).map(async ([suffix, encode]) => {
          const compressed = await encode(source)
          if (compressed.length >= source.length) return []
          await writeFile(file + suffix, compressed)
          return [file + suffix]
        }),
      )
      return variants.flat()
    }),
  )
  return written.flat().sort()
}

/** Precompresses the build output with brotli and gzip, for the API to serve as is. */
export function precompress(): Plugin {
  let outDir = ''
  return {
    name: 'parley:precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir)
    },
    // After the write, not in writeBundle: brotli's seconds are not the bundler's plugin time.
    async closeBundle(error) {
      if (!error) await precompressDir(outDir)
    },
  }
}
