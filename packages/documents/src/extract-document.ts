import type { FileKind } from '@parley/schema/contracts'
import {
  type ChunkOptions,
  chunkBlocks,
  type DocumentBlock,
  type DocumentChunk,
} from './chunk-blocks.ts'
import { decodeText, detectFileKind } from './detect-file-kind.ts'
import { DocumentError } from './document-error.ts'
import { csvBlocks } from './extract/csv.ts'
import { docxBlocks } from './extract/docx.ts'
import { htmlBlocks } from './extract/html.ts'
import { markdownBlocks, textBlocks } from './extract/markdown.ts'
import { pdfBlocks } from './extract/pdf.ts'

export interface ExtractedDocument {
  kind: FileKind
  mimeType: string
  /** Pages for a PDF; null for kinds without pages. */
  pageCount: number | null
  /** Characters of text read, across all chunks before overlap. */
  textChars: number
  chunks: DocumentChunk[]
}

export interface ExtractLimits {
  /** A PDF with more pages is refused (`too_many_pages`). */
  maxPages: number
  /** A read that takes longer is stopped (`timeout`); enforced by `DocumentReader`. */
  timeoutMs: number
  /** A document with more text is refused (`too_large`). */
  maxTextChars: number
  /** A DOCX whose parts inflate past this is refused (`too_large`), counted while inflating. */
  maxUnzippedBytes: number
}

export const defaultExtractLimits: ExtractLimits = {
  maxPages: 2_000,
  timeoutMs: 60_000,
  maxTextChars: 20_000_000,
  maxUnzippedBytes: 100 * 1024 * 1024,
}

export interface ExtractOptions extends ChunkOptions {
  limits?: Partial<ExtractLimits>
}

/**
 * Reads a document in this thread: detects its kind from the bytes, extracts its text with
 * its structure, and chunks it for citations. Throws `DocumentError` for anything it cannot read.
 * On a server, call it through `DocumentReader`, which runs it off the event loop.
 */
export async function extractDocument(
  bytes: Uint8Array,
  name: string,
  limits: Partial<ExtractLimits> = {},
  chunking: ChunkOptions = {},
): Promise<ExtractedDocument> {
  const effective = { ...defaultExtractLimits, ...limits }
  const { kind, mimeType } = await detectFileKind(bytes, name)
  const { blocks, pageCount } = await blocksOf(kind, bytes, effective)
  const textChars = blocks.reduce((total, block) => total + block.text.length, 0)
  if (textChars > effective.maxTextChars) {
    throw new DocumentError(
      'too_large',
      `This document holds ${textChars.toLocaleString('en-US')} characters of text; Parley reads up to ${effective.maxTextChars.toLocaleString('en-US')} from one file.`,
    )
  }
  const chunks = chunkBlocks(blocks, chunking)
  if (chunks.length === 0) throw emptyDocument(kind)
  return { kind, mimeType, pageCount, textChars, chunks }
}

async function blocksOf(
  kind: FileKind,
  bytes: Uint8Array,
  limits: ExtractLimits,
): Promise<{ blocks: DocumentBlock[]; pageCount: number | null }> {
  switch (kind) {
    case 'pdf':
      return pdfBlocks(bytes, limits.maxPages)
    case 'docx':
      return { blocks: await docxBlocks(bytes, limits.maxUnzippedBytes), pageCount: null }
    default: {
      if (bytes.length > limits.maxTextChars * 4) throw tooMuchText(limits)
      const text = (decodeText(bytes) ?? '').replace(/^\ufeff/, '')
      return { blocks: textKindBlocks(kind, text), pageCount: null }
    }
  }
}

function textKindBlocks(kind: Exclude<FileKind, 'pdf' | 'docx'>, text: string): DocumentBlock[] {
  switch (kind) {
    case 'markdown':
      return markdownBlocks(text)
    case 'html':
      return htmlBlocks(text)
    case 'csv':
      return csvBlocks(text)
    case 'text':
      return textBlocks(text)
  }
}

function tooMuchText(limits: ExtractLimits): DocumentError {
  return new DocumentError(
    'too_large',
    `This document holds more text than Parley reads from one file (${limits.maxTextChars.toLocaleString('en-US')} characters).`,
  )
}

function emptyDocument(kind: FileKind): DocumentError {
  if (kind === 'pdf') {
    return new DocumentError(
      'empty',
      'This PDF has no text layer (it may be a scanned image). Parley does not read text from images.',
    )
  }
  return new DocumentError('empty', 'This document contains no text.')
}
