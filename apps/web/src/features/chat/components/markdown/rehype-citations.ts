import { findCitationMarkers } from '@parley/schema/contracts'
import type { Element, ElementContent, Root, Text } from 'hast'

/** Code shows text as written, and a link cannot hold a button. */
const untouched = new Set(['code', 'pre', 'a'])

function splitMarkers(node: Text): ElementContent[] {
  const parts: ElementContent[] = []
  let last = 0
  for (const marker of findCitationMarkers(node.value)) {
    if (marker.start > last) {
      parts.push({ type: 'text', value: node.value.slice(last, marker.start) })
    }
    parts.push({
      type: 'element',
      tagName: 'span',
      properties: { dataCitation: marker.numbers.join(' ') },
      children: [{ type: 'text', value: node.value.slice(marker.start, marker.end) }],
    })
    last = marker.end
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
 * Marks citation markers (`[n]`, `[n, m]`: the rule the server stores citations by) in a reply's
 * prose, never in code or links, as spans holding their numbers; the marker component decides
 * whether citations stand behind them.
 */
export function rehypeCitations() {
  return (tree: Root) => transform(tree)
}
