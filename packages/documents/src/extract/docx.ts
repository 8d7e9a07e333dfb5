import { createInflateRaw } from 'node:zlib'
import mammoth from 'mammoth'
import type { DocumentBlock } from '../chunk-blocks.ts'
import { DocumentError } from '../document-error.ts'
import { htmlFragmentBlocks } from './html.ts'
import { readZipEntries, type ZipEntry } from './zip-directory.ts'
import { writeZip } from './zip-write.ts'

// Word's XML compresses 5-30x; a bomb compresses hundreds of times
const MAX_RATIO = 200
const RATIO_CHECKED_ABOVE_BYTES = 10 * 1024 * 1024
// inflated a chunk at a time and only counted: memory stays at a chunk or two whatever the size
const INFLATE_CHUNK_BYTES = 64 * 1024

const corrupt = (cause: unknown) =>
  new DocumentError('corrupt', 'This Word document is damaged and cannot be opened.', { cause })

const tooLarge = (size: string) =>
  new DocumentError(
    'too_large',
    `This Word document would expand to ${size} when opened, more than Parley reads.`,
  )

const inWords = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.ceil(bytes / 1024)} KB`

/**
 * The DOCX's parts rewritten into a fresh archive whose sizes were measured by inflating every
 * part under a running cap: past `maxUnzippedBytes`, or an absurd ratio, the document is refused
 * (from the directory's claims when they already say so, else as soon as the count passes the
 * cap), so a directory that lies about its sizes cannot make the reader inflate a bomb.
 */
export async function measuredDocxArchive(
  bytes: Uint8Array,
  maxUnzippedBytes: number,
): Promise<Uint8Array> {
  let entries: ZipEntry[]
  try {
    entries = readZipEntries(bytes)
  } catch (error) {
    throw corrupt(error)
  }
  const stored = entries.reduce((sum, entry) => sum + entry.data.length, 0)
  const claimed = entries.reduce((sum, entry) => sum + entry.claimedSize, 0)
  const cap = Math.min(maxUnzippedBytes, Math.max(RATIO_CHECKED_ABOVE_BYTES, stored * MAX_RATIO))
  if (claimed > cap) throw tooLarge(inWords(claimed))
  let inflated = 0
  const parts = []
  for (const entry of entries) {
    const size = await inflatedSize(entry, cap - inflated)
    if (size === null) throw tooLarge(`more than ${inWords(cap)}`)
    inflated += size
    parts.push({ ...entry, size })
  }
  return writeZip(parts)
}

/** The part's real inflated size, or null once it passes `room` bytes (inflating stops there). */
async function inflatedSize(entry: ZipEntry, room: number): Promise<number | null> {
  if (entry.method === 0) return entry.data.length > room ? null : entry.data.length
  if (entry.method !== 8) throw corrupt(new Error(`compression method ${entry.method}`))
  const inflater = createInflateRaw({ chunkSize: INFLATE_CHUNK_BYTES })
  let size = 0
  try {
    inflater.end(entry.data)
    for await (const chunk of inflater) {
      size += (chunk as Buffer).length
      if (size > room) {
        inflater.destroy()
        return null
      }
    }
  } catch (error) {
    throw corrupt(error)
  }
  return size
}

/** Blocks of a Word document: mammoth's HTML (headings from Word's heading styles) walked as a page. */
export async function docxBlocks(
  bytes: Uint8Array,
  maxUnzippedBytes: number,
): Promise<DocumentBlock[]> {
  const archive = await measuredDocxArchive(bytes, maxUnzippedBytes)
  let html: string
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength) },
      { externalFileAccess: false, ignoreEmptyParagraphs: true },
    )
    html = result.value
  } catch (error) {
    throw corrupt(error)
  }
  return htmlFragmentBlocks(html)
}
