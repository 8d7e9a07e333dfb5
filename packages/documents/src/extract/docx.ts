import { unzipSync } from 'fflate'
import mammoth from 'mammoth'
import type { DocumentBlock } from '../chunk-blocks.ts'
import { DocumentError } from '../document-error.ts'
import { htmlFragmentBlocks } from './html.ts'

// Word's XML compresses 5-30x; a bomb compresses hundreds of times
const MAX_RATIO = 200
const RATIO_CHECKED_ABOVE_BYTES = 10 * 1024 * 1024

/**
 * Refuses a DOCX whose parts would inflate past `maxUnzippedBytes` or at an absurd ratio, reading
 * only the ZIP's central directory (nothing is decompressed).
 */
export function checkZipSizes(bytes: Uint8Array, maxUnzippedBytes: number): void {
  let unzipped = 0
  let compressed = 0
  try {
    unzipSync(bytes, {
      filter: (file) => {
        unzipped += file.originalSize
        compressed += file.size
        return false
      },
    })
  } catch (error) {
    throw new DocumentError('corrupt', 'This Word document is damaged and cannot be opened.', {
      cause: error,
    })
  }
  const tooBig = unzipped > maxUnzippedBytes
  const bomb = unzipped > RATIO_CHECKED_ABOVE_BYTES && unzipped > compressed * MAX_RATIO
  if (tooBig || bomb) {
    throw new DocumentError(
      'too_large',
      `This Word document would expand to ${Math.round(unzipped / 1024 / 1024)} MB when opened, more than Parley reads.`,
    )
  }
}

/** Blocks of a Word document: mammoth's HTML (headings from Word's heading styles) walked as a page. */
export async function docxBlocks(
  bytes: Uint8Array,
  maxUnzippedBytes: number,
): Promise<DocumentBlock[]> {
  checkZipSizes(bytes, maxUnzippedBytes)
  let html: string
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      { externalFileAccess: false, ignoreEmptyParagraphs: true },
    )
    html = result.value
  } catch (error) {
    throw new DocumentError('corrupt', 'This Word document is damaged and cannot be opened.', {
      cause: error,
    })
  }
  return htmlFragmentBlocks(html)
}
