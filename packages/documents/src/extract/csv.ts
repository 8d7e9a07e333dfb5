import type { DocumentBlock } from '../chunk-blocks.ts'
import { csvDelimiter } from '../detect-file-kind.ts'

/** Blocks of a CSV: one per record (quoted line breaks kept), each carrying the header row. */
export function csvBlocks(text: string): DocumentBlock[] {
  const records = splitRecords(text).filter((record) => record.trim() !== '')
  const [header, ...rows] = records
  if (header === undefined) return []
  const delimiter = csvDelimiter(text)
  const shown = (record: string) => (delimiter === '\t' ? record.replaceAll('\t', ' | ') : record)
  if (rows.length === 0) return [{ text: shown(header), page: null, headingPath: [] }]
  return rows.map((row) => ({
    text: shown(row),
    page: null,
    headingPath: [],
    header: shown(header),
  }))
}

/** Lines of a CSV, except that a line break inside a quoted field stays in its record. */
function splitRecords(text: string): string[] {
  const records: string[] = []
  let start = 0
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (char === '"') quoted = !quoted
    else if (char === '\n' && !quoted) {
      records.push(text.slice(start, i).replace(/\r$/, ''))
      start = i + 1
    }
  }
  records.push(text.slice(start))
  return records
}
