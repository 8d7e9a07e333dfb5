import { extractTextItems, getDocumentProxy, type StructuredTextItem } from 'unpdf'
import type { DocumentBlock } from '../chunk-blocks.ts'
import { DocumentError } from '../document-error.ts'
import { HeadingTrail } from './markdown.ts'

interface Line {
  text: string
  fontSize: number
  y: number
}

export interface PdfText {
  pageCount: number
  blocks: DocumentBlock[]
}

// a line this much larger than the body text, and short, is taken for a heading
const HEADING_SCALE = 1.15
const MAX_HEADING_CHARS = 150

/** Blocks of a PDF's text layer, one run of paragraphs per page, headings told by font size. */
export async function pdfBlocks(bytes: Uint8Array, maxPages: number): Promise<PdfText> {
  const pdf = await openPdf(bytes)
  try {
    if (pdf.numPages > maxPages) {
      throw new DocumentError(
        'too_many_pages',
        `This PDF has ${pdf.numPages} pages; Parley reads PDFs of up to ${maxPages} pages.`,
      )
    }
    const { items } = await extractTextItems(pdf)
    const pages = items.map(linesOf)
    const headingLevels = headingLevelsOf(pages.flat())
    const trail = new HeadingTrail()
    const blocks = pages.flatMap((lines, index) =>
      pageBlocks(lines, index + 1, headingLevels, trail),
    )
    return { pageCount: pdf.numPages, blocks }
  } finally {
    await pdf.loadingTask.destroy()
  }
}

async function openPdf(bytes: Uint8Array) {
  try {
    // pdf.js takes ownership of the array it is given: hand it a copy (not a Buffer's shared view)
    return await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 })
  } catch (error) {
    const name = error instanceof Error ? error.name : ''
    if (name === 'PasswordException') {
      throw new DocumentError(
        'encrypted',
        'This PDF is protected by a password. Remove the protection and upload it again.',
        { cause: error },
      )
    }
    throw new DocumentError('corrupt', 'This PDF is damaged and cannot be opened.', {
      cause: error,
    })
  }
}

function linesOf(items: StructuredTextItem[]): Line[] {
  const lines: Line[] = []
  let current: Line | null = null
  let ended = true
  for (const item of items) {
    const sameLine = current !== null && !ended && Math.abs(item.y - current.y) < item.fontSize / 2
    if (!sameLine && item.str.trim() !== '') {
      current = { text: '', fontSize: item.fontSize, y: item.y }
      lines.push(current)
    }
    if (current && (sameLine || item.str.trim() !== '')) {
      current.text += item.str
      current.fontSize = Math.max(current.fontSize, item.fontSize)
    }
    ended = item.hasEOL
  }
  return lines
    .map((line) => ({ ...line, text: line.text.replace(/\s+/g, ' ').trim() }))
    .filter((line) => line.text !== '')
}

/** Font sizes used for headings, largest first (level 1), from how much text each size carries. */
function headingLevelsOf(lines: Line[]): Map<number, number> {
  const charsBySize = new Map<number, number>()
  for (const line of lines) {
    const size = Math.round(line.fontSize * 10) / 10
    charsBySize.set(size, (charsBySize.get(size) ?? 0) + line.text.length)
  }
  const body = [...charsBySize].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0
  const headingSizes = [...charsBySize.keys()]
    .filter((size) => size >= body * HEADING_SCALE)
    .sort((a, b) => b - a)
    .slice(0, 6)
  return new Map(headingSizes.map((size, index) => [size, index + 1]))
}

function pageBlocks(
  lines: Line[],
  page: number,
  headingLevels: Map<number, number>,
  trail: HeadingTrail,
): DocumentBlock[] {
  const blocks: DocumentBlock[] = []
  let paragraph: Line[] = []
  const flush = () => {
    const text = joinLines(paragraph.map((line) => line.text))
    if (text !== '') blocks.push({ text, page, headingPath: trail.path() })
    paragraph = []
  }
  for (const line of lines) {
    const level = headingLevels.get(Math.round(line.fontSize * 10) / 10)
    if (level !== undefined && line.text.length <= MAX_HEADING_CHARS) {
      flush()
      trail.enter(level, line.text)
      blocks.push({
        text: `${'#'.repeat(level)} ${line.text}`,
        page,
        headingPath: trail.path(),
        heading: true,
      })
      continue
    }
    const previous = paragraph.at(-1)
    if (previous && Math.abs(previous.y - line.y) > previous.fontSize * 1.8) flush()
    paragraph.push(line)
  }
  flush()
  return blocks
}

/** Joins a paragraph's lines, mending words hyphenated across a line break. */
function joinLines(lines: string[]): string {
  return lines.reduce((text, line) => {
    if (text === '') return line
    return /\p{L}-$/u.test(text) ? `${text.slice(0, -1)}${line}` : `${text} ${line}`
  }, '')
}
