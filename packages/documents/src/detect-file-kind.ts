import type { FileKind } from '@parley/schema/contracts'
import { unzipSync } from 'fflate'
import { fileTypeFromBuffer } from 'file-type'
import { DocumentError } from './document-error.ts'

export interface DetectedKind {
  kind: FileKind
  mimeType: string
}

export const mimeTypes: Record<FileKind, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  markdown: 'text/markdown',
  text: 'text/plain',
  html: 'text/html',
  csv: 'text/csv',
}

const unsupported = (what: string) =>
  new DocumentError(
    'unsupported_type',
    `${what} files can't be read. Upload a PDF, Word (.docx), Markdown, HTML, CSV or plain text file.`,
  )

/**
 * The kind of a file from its bytes; the name's extension only breaks ties between text formats.
 * Throws `DocumentError` `empty` for a file with no content and `unsupported_type` for anything
 * Parley does not read (images, archives, executables, binary data).
 */
export async function detectFileKind(bytes: Uint8Array, name: string): Promise<DetectedKind> {
  if (bytes.length === 0) throw new DocumentError('empty', 'The file is empty.')
  const detected = await fileTypeFromBuffer(bytes)
  if (detected) return kindOfBinary(bytes, detected)
  const text = decodeText(bytes)
  if (text === null) throw unsupported('Binary')
  if (text.trim() === '') throw new DocumentError('empty', 'The file contains only whitespace.')
  const kind = sniffTextKind(text, extensionOf(name))
  return { kind, mimeType: mimeTypes[kind] }
}

function kindOfBinary(bytes: Uint8Array, detected: { ext: string; mime: string }): DetectedKind {
  if (detected.ext === 'pdf') return { kind: 'pdf', mimeType: mimeTypes.pdf }
  if (detected.ext === 'docx' || (detected.ext === 'zip' && isDocx(bytes))) {
    return { kind: 'docx', mimeType: mimeTypes.docx }
  }
  // text formats file-type recognises by content (an XML prolog, an SVG) are still not documents
  throw unsupported(detected.ext.toUpperCase())
}

/** A ZIP holding a Word document: its part list names `word/document.xml`. */
function isDocx(bytes: Uint8Array): boolean {
  try {
    const names: string[] = []
    unzipSync(bytes, {
      filter: (file) => {
        names.push(file.name)
        return false
      },
    })
    return names.includes('[Content_Types].xml') && names.includes('word/document.xml')
  } catch {
    return false
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

/** The text of `bytes` when they are strict UTF-8 without NULs; null for binary data. */
export function decodeText(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null
  try {
    return utf8.decode(bytes)
  } catch {
    return null
  }
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.')
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase()
}

const markdownExtensions = new Set(['md', 'markdown', 'mdown', 'mkd', 'mdx'])
const htmlExtensions = new Set(['html', 'htm', 'xhtml'])
const csvExtensions = new Set(['csv', 'tsv'])

/** Tells Markdown, HTML, CSV and plain text apart by content, the extension breaking ties. */
export function sniffTextKind(text: string, extension: string): FileKind {
  const head = text.slice(0, 4096).trimStart().toLowerCase()
  if (/^(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])/.test(head)) return 'html'
  if (htmlExtensions.has(extension) && head.startsWith('<')) return 'html'
  if (csvExtensions.has(extension) && csvDelimiter(text) !== null) return 'csv'
  if (markdownExtensions.has(extension) || looksLikeMarkdown(head)) return 'markdown'
  return 'text'
}

function looksLikeMarkdown(head: string): boolean {
  const signals = [
    /^#{1,6} \S/m,
    /^```/m,
    /^\s*[-*] \[[ x]\] /m,
    /\[[^\]\n]+\]\([^)\s]+\)/,
    /^\|.*\|\s*\n\|\s*:?-{3,}/m,
  ]
  return signals.filter((signal) => signal.test(head)).length >= 2 || /^#{1,6} \S/.test(head)
}

const delimiters = [',', ';', '\t', '|']

/**
 * The delimiter of a CSV when the first lines agree on how many they hold (outside quotes), or
 * null when the text does not look like delimited rows.
 */
export function csvDelimiter(text: string): string | null {
  const lines = text
    .slice(0, 16_384)
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(0, 20)
  if (lines.length === 0) return null
  let best: { delimiter: string; count: number } | null = null
  for (const delimiter of delimiters) {
    const counts = lines.map((line) => countOutsideQuotes(line, delimiter))
    const first = counts[0] ?? 0
    const consistent = first > 0 && counts.every((count) => count === first)
    if (consistent && (best === null || first > best.count)) best = { delimiter, count: first }
  }
  return best?.delimiter ?? null
}

function countOutsideQuotes(line: string, delimiter: string): number {
  let count = 0
  let quoted = false
  for (const char of line) {
    if (char === '"') quoted = !quoted
    else if (char === delimiter && !quoted) count += 1
  }
  return count
}
