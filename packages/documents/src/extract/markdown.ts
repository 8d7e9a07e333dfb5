import type { DocumentBlock } from '../chunk-blocks.ts'

/** Headings above the current line, by level (index 0 = `#`). */
export class HeadingTrail {
  private readonly levels: (string | undefined)[] = []

  enter(level: number, title: string): string[] {
    this.levels.length = level - 1
    this.levels[level - 1] = title
    return this.path()
  }

  path(): string[] {
    return this.levels.filter((title): title is string => title !== undefined)
  }
}

const atxHeading = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/
const fence = /^ {0,3}(```|~~~)/
const setextUnderline = /^ {0,3}(=+|-+)[ \t]*$/

/**
 * Blocks of a Markdown text: ATX and setext headings set the heading path, paragraphs split at
 * blank lines, fenced code stays whole (a `#` inside it is not a heading).
 */
export function markdownBlocks(text: string, page: number | null = null): DocumentBlock[] {
  const blocks: DocumentBlock[] = []
  const trail = new HeadingTrail()
  let paragraph: string[] = []
  let fenceMarker: string | null = null
  const flush = () => {
    const body = paragraph.join('\n').trim()
    if (body !== '') blocks.push({ text: body, page, headingPath: trail.path() })
    paragraph = []
  }
  const heading = (level: number, title: string) => {
    flush()
    const headingPath = trail.enter(level, title)
    blocks.push({ text: `${'#'.repeat(level)} ${title}`, page, headingPath, heading: true })
  }
  for (const line of text.split(/\r?\n/)) {
    const fenced = fence.exec(line)
    if (fenceMarker !== null || fenced) {
      paragraph.push(line)
      if (fenced && fenceMarker === null) fenceMarker = fenced[1] ?? null
      else if (fenced && line.trim().startsWith(fenceMarker ?? '')) fenceMarker = null
      continue
    }
    const atx = atxHeading.exec(line)
    if (atx?.[1] && atx[2]) {
      heading(atx[1].length, atx[2].trim())
      continue
    }
    const underline = setextUnderline.exec(line)
    if (underline?.[1] && paragraph.length === 1 && paragraph[0]?.trim()) {
      const title = paragraph[0].trim()
      paragraph = []
      heading(underline[1].startsWith('=') ? 1 : 2, title)
      continue
    }
    if (line.trim() === '') flush()
    else paragraph.push(line)
  }
  flush()
  return blocks
}

/** Blocks of plain text: paragraphs split at blank lines, no headings. */
export function textBlocks(text: string): DocumentBlock[] {
  return text
    .split(/\r?\n[ \t]*\r?\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '')
    .map((paragraph) => ({ text: paragraph, page: null, headingPath: [] }))
}
