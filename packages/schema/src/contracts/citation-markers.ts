/**
 * Citation markers in a reply: the model cites the numbered passages it was given as `[1]`,
 * `[1][2]` or `[1, 2]` (numbers 1 to 999). One rule for the server, which stores the citations
 * a reply makes, and the web app, which turns the same markers into buttons.
 */

/** A marker in a run of prose: where it stands and the passage numbers it cites, in order. */
export interface CitationMarker {
  start: number
  end: number
  numbers: number[]
}

const markerPattern = /\[(\d{1,3}(?:[ \t]*,[ \t]*\d{1,3})*)\]/g

/** The markers in plain prose (text already known to be outside code and links). */
export function findCitationMarkers(prose: string): CitationMarker[] {
  const markers: CitationMarker[] = []
  for (const match of prose.matchAll(markerPattern)) {
    const numbers = (match[1] ?? '')
      .split(',')
      .map((n) => Number(n.trim()))
      .filter((n) => n > 0)
    if (numbers.length === 0) continue
    markers.push({ start: match.index, end: match.index + match[0].length, numbers })
  }
  return markers
}

const fenceLine = /^[ \t>]*(`{3,}|~{3,})(.*)$/

/** Replaces fenced code blocks with blank lines, line by line (an unclosed fence runs to the end). */
function withoutFencedCode(markdown: string): string {
  let open: string | null = null
  return markdown
    .split('\n')
    .map((line) => {
      const fence = fenceLine.exec(line)
      const run = fence?.[1] ?? ''
      const rest = fence?.[2] ?? ''
      if (open === null) {
        // A backtick fence's info string cannot hold a backtick (that line is inline code).
        if (fence && !(run.startsWith('`') && rest.includes('`'))) open = run
        return open === null ? line : ''
      }
      if (fence && run[0] === open[0] && run.length >= open.length && rest.trim() === '') {
        open = null
      }
      return ''
    })
    .join('\n')
}

/**
 * Replaces the code spans of one paragraph with spaces: a run of n backticks up to the next run
 * of exactly n (a run left unclosed is literal text). Linear in the paragraph's length.
 */
function withoutCodeSpans(paragraph: string): string {
  const runs = [...paragraph.matchAll(/`+/g)].map((m) => ({ at: m.index, length: m[0].length }))
  const closing: number[] = []
  const nextOfLength = new Map<number, number>()
  for (let i = runs.length - 1; i >= 0; i--) {
    const length = runs[i]?.length ?? 0
    closing[i] = nextOfLength.get(length) ?? -1
    nextOfLength.set(length, i)
  }
  let result = ''
  let last = 0
  for (let i = 0; i < runs.length; i++) {
    const open = runs[i]
    const close = runs[closing[i] ?? -1]
    if (!open || !close) continue
    const end = close.at + close.length
    result += `${paragraph.slice(last, open.at)}${' '.repeat(end - open.at)}`
    last = end
    i = closing[i] ?? i
  }
  return result + paragraph.slice(last)
}

/** Replaces inline code with spaces; a code span never crosses a blank line. */
function withoutInlineCode(text: string): string {
  return text
    .split(/(\n[ \t]*\n)/)
    .map((part, i) => (i % 2 === 0 ? withoutCodeSpans(part) : part))
    .join('')
}

/**
 * The passage numbers a Markdown reply cites, each once, in order of first citation: markers in
 * fenced or inline code (`items[1]`) and link texts (`[1](https://…)`) are not citations.
 */
export function citedNumbers(markdown: string): number[] {
  const prose = withoutInlineCode(withoutFencedCode(markdown))
  const cited = new Set<number>()
  for (const marker of findCitationMarkers(prose)) {
    if (prose[marker.end] === '(') continue
    for (const n of marker.numbers) cited.add(n)
  }
  return [...cited]
}
