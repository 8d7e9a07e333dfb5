import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { precompress, precompressDir } from './precompress.ts'

let root: string
const outDir = () => path.join(root, 'dist')

async function buildFixture() {
  await build({
    root,
    configFile: false,
    logLevel: 'silent',
    plugins: [precompress()],
    build: { outDir: outDir(), sourcemap: true },
  })
  return (await readdir(outDir(), { recursive: true })).sort()
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'parley-precompress-'))
  const greetings = Array.from({ length: 80 }, (_, i) => `  'greeting number ${i}',`).join('\n')
  await writeFile(
    path.join(root, 'main.js'),
    `export const all = [\n${greetings}\n]\nconsole.log(all)\n`,
  )
  await writeFile(path.join(root, 'tiny.css'), 'body { margin: 0 }\n')
  await writeFile(
    path.join(root, 'index.html'),
    '<!doctype html><html><head><link rel="stylesheet" href="./tiny.css"><script type="module" src="./main.js"></script></head><body></body></html>',
  )
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('the precompress build plugin', () => {
  it('writes brotli and gzip files beside large text assets that decompress to the originals', async () => {
    const files = await buildFixture()
    const script = files.find((file) => /^assets[\\/]index-.*\.js$/.test(file))
    expect(script).toBeDefined()
    const original = await readFile(path.join(outDir(), `${script}`))
    expect(original.length).toBeGreaterThan(1024)
    const br = await readFile(path.join(outDir(), `${script}.br`))
    const gz = await readFile(path.join(outDir(), `${script}.gz`))
    expect(br.length).toBeLessThan(original.length)
    expect(brotliDecompressSync(br).equals(original)).toBe(true)
    expect(gunzipSync(gz).equals(original)).toBe(true)
  })

  it('leaves small files and source maps uncompressed', async () => {
    const files = await buildFixture()
    const compressed = files.filter((file) => /\.(?:br|gz)$/.test(file))
    expect(compressed.every((file) => /^assets[\\/]index-.*\.js\.(?:br|gz)$/.test(file))).toBe(true)
    expect(compressed).toHaveLength(2)
  })

  it('writes the same bytes on every run', async () => {
    await buildFixture()
    const first = await Promise.all(
      (await precompressDir(outDir())).map((file) => readFile(file, 'base64')),
    )
    const second = await Promise.all(
      (await precompressDir(outDir())).map((file) => readFile(file, 'base64')),
    )
    expect(first).toHaveLength(2)
    expect(second).toEqual(first)
  })
})
