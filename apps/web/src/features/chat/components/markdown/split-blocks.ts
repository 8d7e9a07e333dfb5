const fenceOpen = /^ {0,3}(`{3,}|~{3,})/
const definition = /^ {0,3}\[[^\]]+\]:/m

/**
 * Splits markdown into top-level blocks at blank lines outside code fences, so a streaming
 * reply re-parses only its last block each frame. Text with link or footnote definitions
 * (which reach across blocks) stays whole.
 */
export function splitMarkdownBlocks(text: string): string[] {
  if (definition.test(text)) return [text]
  const lines = text.split('\n')
  const blocks: string[] = []
  let current: string[] = []
  let fence: string | null = null
  let blankBefore = false

  for (const line of lines) {
    if (fence !== null) {
      current.push(line)
      const marker = fenceOpen.exec(line)?.[1]
      const closes =
        marker !== undefined &&
        marker[0] === fence[0] &&
        marker.length >= fence.length &&
        line.trim() === marker
      if (closes) fence = null
      continue
    }
    if (line.trim() === '') {
      blankBefore = current.length > 0
      if (current.length > 0) current.push(line)
      continue
    }
    // An indented line after a blank continues the block above (list item, code).
    if (blankBefore && !/^[ \t]/.test(line)) {
      blocks.push(current.join('\n').trimEnd())
      current = []
    }
    blankBefore = false
    const open = fenceOpen.exec(line)
    if (open?.[1]) fence = open[1]
    current.push(line)
  }
  if (current.length > 0) blocks.push(current.join('\n').trimEnd())
  return blocks
}
