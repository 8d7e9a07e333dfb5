import { Readability } from '@mozilla/readability'
import { parseHTML } from 'linkedom'
import type { DocumentBlock } from '../chunk-blocks.ts'
import { HeadingTrail } from './markdown.ts'

/** The little of the DOM this walk reads, so the package needs no DOM typings of its own. */
interface DomNode {
  readonly nodeType: number
  readonly textContent: string | null
  readonly childNodes: Iterable<DomNode>
}
interface DomElement extends DomNode {
  readonly tagName: string
  readonly children: Iterable<DomElement>
}
interface DomDocument {
  readonly body: DomElement | null
  readonly documentElement: DomElement
  querySelectorAll(selector: string): Iterable<{ remove(): void }>
}

const dom = (html: string): DomDocument => parseHTML(html).document

const boilerplate =
  'script, style, noscript, template, nav, header, footer, aside, form, iframe, svg'
const containers = new Set([
  'P',
  'PRE',
  'BLOCKQUOTE',
  'LI',
  'TR',
  'DT',
  'DD',
  'FIGCAPTION',
  'CAPTION',
])
const headingLevel = (tag: string) => (/^H[1-6]$/.test(tag) ? Number(tag[1]) : 0)

/**
 * Blocks of a web page: the article Readability finds (falling back to the body without
 * navigation, headers, footers and scripts), as Markdown-ish text with its headings kept.
 */
export function htmlBlocks(html: string): DocumentBlock[] {
  const article = new Readability(parseHTML(html).document, { charThreshold: 200 }).parse()
  const articleBlocks = article?.content ? htmlFragmentBlocks(article.content) : []
  if (articleBlocks.length > 0) return articleBlocks
  const document = dom(html)
  for (const element of document.querySelectorAll(boilerplate)) element.remove()
  return elementBlocks(document.body ?? document.documentElement)
}

/** Blocks of an HTML fragment taken as a whole document's content (mammoth's DOCX output). */
export function htmlFragmentBlocks(fragment: string): DocumentBlock[] {
  const document = dom(`<!doctype html><html><body>${fragment}</body></html>`)
  for (const element of document.querySelectorAll('script, style, template')) element.remove()
  return elementBlocks(document.body ?? document.documentElement)
}

function elementBlocks(root: DomElement): DocumentBlock[] {
  const blocks: DocumentBlock[] = []
  const trail = new HeadingTrail()
  let loose: string[] = []
  const push = (text: string, heading = false) => {
    const clean = text.trim()
    if (clean !== '') blocks.push({ text: clean, page: null, headingPath: trail.path(), heading })
  }
  const flushLoose = () => {
    push(loose.join(' ').replace(/\s+/g, ' '))
    loose = []
  }
  const visit = (node: DomNode) => {
    if (node.nodeType === 3) {
      loose.push(node.textContent ?? '')
      return
    }
    if (node.nodeType !== 1) return
    const element = node as DomElement
    const level = headingLevel(element.tagName)
    if (level > 0) {
      flushLoose()
      const title = inlineText(element)
      if (title === '') return
      trail.enter(level, title)
      push(`${'#'.repeat(level)} ${title}`, true)
    } else if (containers.has(element.tagName)) {
      flushLoose()
      push(containerText(element))
    } else if (element.tagName === 'BR') {
      loose.push('\n')
    } else {
      for (const child of element.childNodes) visit(child)
    }
  }
  visit(root)
  flushLoose()
  return blocks
}

function inlineText(element: DomElement): string {
  return (element.textContent ?? '').replace(/\s+/g, ' ').trim()
}

function containerText(element: DomElement): string {
  switch (element.tagName) {
    case 'PRE':
      return element.textContent ?? ''
    case 'LI':
      return `- ${inlineText(element)}`
    case 'TR':
      return Array.from(element.children, (cell) => inlineText(cell)).join(' | ')
    case 'BLOCKQUOTE':
      return `> ${inlineText(element)}`
    default:
      return inlineText(element)
  }
}
