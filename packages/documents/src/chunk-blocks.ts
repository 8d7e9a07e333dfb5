import { countEncodedTokens } from '@parley/llm'

/** A structural piece of a document (a paragraph, a list, a table row) before chunking. */
export interface DocumentBlock {
  text: string
  /** 1-based page for paged documents; null otherwise. */
  page: number | null
  /** The headings above the block, outermost first (a heading's own path ends with itself). */
  headingPath: string[]
  /** A heading line: it opens its section and stays with the text that follows it. */
  heading?: boolean
  /** Repeated at the top of every chunk holding this block: a table's header row. */
  header?: string
}

/** A passage of a document, small enough to embed and cite. */
export interface DocumentChunk {
  /** 0-based position in the document. */
  ordinal: number
  text: string
  page: number | null
  headingPath: string[]
  tokenCount: number
}

export interface ChunkOptions {
  /** Upper bound of a chunk's tokens, overlap and repeated header included. */
  targetTokens?: number
  /** Tokens of the previous chunk's end repeated at the start of the next one in a section. */
  overlapTokens?: number
}

export const defaultTargetTokens = 512
export const defaultOverlapTokens = 64
// joining pieces can merge or split a token at each seam; this keeps the exact count under the target
const SEAM_MARGIN = 8

interface Section {
  page: number | null
  headingPath: string[]
  header: string | undefined
  blocks: DocumentBlock[]
}

interface Unit {
  text: string
  tokens: number
}

const count = (text: string) => countEncodedTokens(text)

/**
 * Packs blocks into chunks of at most `targetTokens`: a chunk never spans a change of page,
 * heading or table, long blocks are split at lines, then sentences, then words, and consecutive
 * chunks of one section share about `overlapTokens` of text so no sentence loses its context.
 */
export function chunkBlocks(blocks: DocumentBlock[], options: ChunkOptions = {}): DocumentChunk[] {
  const target = options.targetTokens ?? defaultTargetTokens
  const overlap = Math.min(options.overlapTokens ?? defaultOverlapTokens, Math.floor(target / 4))
  const chunks: DocumentChunk[] = []
  for (const section of sectionsOf(blocks)) {
    for (const text of packSection(section, target, overlap)) {
      chunks.push({
        ordinal: chunks.length,
        text,
        page: section.page,
        headingPath: section.headingPath,
        tokenCount: count(text),
      })
    }
  }
  return chunks
}

/** Runs of blocks sharing page, heading path and header; a heading with no text of its own joins the next run. */
function sectionsOf(blocks: DocumentBlock[]): Section[] {
  const sections: Section[] = []
  let carried: DocumentBlock[] = []
  let current: Section | null = null
  for (const block of blocks) {
    if (block.text.trim() === '') continue
    if (current === null || !sameSection(current, block)) {
      if (current !== null) sections.push(current)
      current = {
        page: block.page,
        headingPath: block.headingPath,
        header: block.header,
        blocks: [...carried],
      }
      carried = []
    }
    current.blocks.push(block)
    if (current.blocks.every((each) => each.heading)) {
      // headings alone wait for the text they introduce
      carried = current.blocks
      current = null
    }
  }
  if (current !== null) sections.push(current)
  if (carried.length > 0) sections.push({ ...sectionOf(carried), blocks: carried })
  return sections
}

function sectionOf(blocks: DocumentBlock[]): Omit<Section, 'blocks'> {
  const last = blocks.at(-1)
  return { page: last?.page ?? null, headingPath: last?.headingPath ?? [], header: last?.header }
}

function sameSection(section: Section, block: DocumentBlock): boolean {
  return (
    section.page === block.page &&
    section.header === block.header &&
    section.headingPath.length === block.headingPath.length &&
    section.headingPath.every((heading, i) => heading === block.headingPath[i])
  )
}

function packSection(section: Section, target: number, overlap: number): string[] {
  const headerTokens = section.header === undefined ? 0 : count(section.header) + 1
  // a header too long to repeat is kept once, as the first row
  const repeatHeader = section.header !== undefined && headerTokens <= target / 4
  const prefix = repeatHeader ? `${section.header}\n` : ''
  const budget = target - overlap - (repeatHeader ? headerTokens : 0) - SEAM_MARGIN
  const separator = section.header === undefined ? '\n\n' : '\n'
  const units = section.blocks.flatMap((block) => splitToFit(block.text.trim(), budget))
  if (section.header !== undefined && !repeatHeader) {
    units.unshift(...splitToFit(section.header, budget))
  }
  const texts: string[] = []
  let current: Unit[] = []
  let used = 0
  let carried = ''
  const flush = () => {
    const body = current.map((unit) => unit.text).join(separator)
    texts.push(prefix + (carried === '' ? '' : `${carried}${separator}`) + body)
    carried = overlapTail(current, overlap, separator)
    current = []
    used = 0
  }
  for (const unit of units) {
    const cost = unit.tokens + (current.length > 0 ? 1 : 0)
    if (current.length > 0 && used + cost > budget) flush()
    current.push(unit)
    used += unit.tokens + (current.length > 1 ? 1 : 0)
  }
  if (current.length > 0) flush()
  return texts
}

/** The end of a chunk to repeat at the start of the next: whole trailing units when they fit, else the last words. */
function overlapTail(units: Unit[], overlap: number, separator: string): string {
  if (overlap <= 0) return ''
  const kept: string[] = []
  let used = 0
  for (let i = units.length - 1; i >= 0; i--) {
    const unit = units[i]
    if (!unit || used + unit.tokens + 1 > overlap) break
    kept.unshift(unit.text)
    used += unit.tokens + 1
  }
  if (kept.length > 0) return kept.join(separator)
  return lastWords(units.at(-1)?.text ?? '', overlap)
}

/** About the longest run of whole words at the end of `text` that fits in `maxTokens`. */
function lastWords(text: string, maxTokens: number): string {
  const words = text.split(/\s+/).filter((word) => word !== '')
  // start from the text's own words-per-token ratio, then shrink until the tail fits
  const ratio = words.length / Math.max(1, count(text))
  let take = Math.min(words.length, Math.floor(maxTokens * ratio))
  while (take > 0) {
    const tail = words.slice(-take).join(' ')
    const tokens = count(tail)
    if (tokens <= maxTokens) return tail
    take = Math.min(take - 1, Math.floor((take * maxTokens) / tokens))
  }
  return ''
}

const splitters = [/\n+/, /(?<=[.!?。！？;:])\s+/, /\s+/]

/**
 * Pieces of `text` with their token counts, each at most `maxTokens`: cut at lines, then
 * sentences, then words, then characters. Each piece is counted once; a merged piece's count is
 * the sum of its parts plus one per seam.
 */
export function splitToFit(text: string, maxTokens: number, level = 0): Unit[] {
  if (text === '') return []
  const tokens = count(text)
  if (tokens <= maxTokens) return [{ text, tokens }]
  for (let i = level; i < splitters.length; i++) {
    const splitter = splitters[i] as RegExp
    const parts = text.split(splitter).filter((part) => part.trim() !== '')
    if (parts.length > 1) {
      const pieces = parts.flatMap((part) => splitToFit(part, maxTokens, i + 1))
      return mergePieces(pieces, maxTokens, i === 0 ? '\n' : ' ')
    }
  }
  return halve(text).flatMap((half) => splitToFit(half, maxTokens, splitters.length))
}

function halve(text: string): [string, string] {
  let middle = Math.floor(text.length / 2)
  const code = text.charCodeAt(middle)
  if (code >= 0xdc00 && code <= 0xdfff) middle += 1
  return [text.slice(0, middle), text.slice(middle)]
}

/** Greedily joins consecutive pieces while the result stays within `maxTokens`. */
function mergePieces(pieces: Unit[], maxTokens: number, joiner: string): Unit[] {
  const merged: Unit[] = []
  let current: Unit | null = null
  for (const piece of pieces) {
    if (current !== null && current.tokens + piece.tokens + 1 <= maxTokens) {
      current = {
        text: `${current.text}${joiner}${piece.text}`,
        tokens: current.tokens + piece.tokens + 1,
      }
      continue
    }
    if (current !== null) merged.push(current)
    current = piece
  }
  if (current !== null) merged.push(current)
  return merged
}
