import type { Element, ElementContent, Root, Text } from 'hast'

const marker = /\[(\d{1,3})\]/g
/** Code shows text as written, and a link cannot hold a button. */
const untouched = new Set(['code', 'pre', 'a'])

function splitMarkers(node: Text): ElementContent[] {
  const parts: ElementContent[] = []
  let last = 0
  for (const match of node.value.matchAll(marker)) {
    const at = match.index
    if (at > last) parts.push({ type: 'text', value: node.value.slice(last, at) })
    parts.push({
      type: 'element',
      tagName: 'span',
      properties: { dataCitation: match[1] },
      children: [{ type: 'text', value: match[0] }],
    })
    last = at + match[0].length
  }
  if (last === 0) return [node]
  if (last < node.value.length) parts.push({ type: 'text', value: node.value.slice(last) })
  return parts
}

function transform(parent: Root | Element) {
  const children: (typeof parent.children)[number][] = []
  for (const child of parent.children) {
    if (child.type === 'text') children.push(...splitMarkers(child))
    else {
      if (child.type === 'element' && !untouched.has(child.tagName)) transform(child)
      children.push(child)
    }
  }
  parent.children = children as typeof parent.children
}

/**
 * Marks `[n]` in a reply's prose (never in code or links) as a citation marker span; the
 * marker component decides whether a citation stands behind it.
 */
export function rehypeCitations() {
  return (tree: Root) => transform(tree)
}
