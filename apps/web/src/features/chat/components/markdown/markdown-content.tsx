import { Children, isValidElement, memo, type ReactElement, type ReactNode } from 'react'
import Markdown, { type Components } from 'react-markdown'
import remarkGfm from 'remark-gfm'
import { Icon } from '../../../../components/ui/icon.tsx'
import { CitationMarker } from './citation-marker.tsx'
import { CodeBlock } from './code-block.tsx'
import { rehypeCitations } from './rehype-citations.ts'
import { inlineImageSource, markdownUrlTransform, safeLinkUrl } from './safe-url.ts'
import { splitMarkdownBlocks } from './split-blocks.ts'
import { StreamingContext } from './streaming-context.ts'
import './markdown-content.css'

function textOf(node: ReactNode): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node)
  if (Array.isArray(node)) return node.map(textOf).join('')
  if (isValidElement<{ children?: ReactNode }>(node)) return textOf(node.props.children)
  return ''
}

const components: Components = {
  a: ({ href, children }) => {
    const url = safeLinkUrl(href)
    if (!url) return <span className="md-unsafe-link">{children}</span>
    return (
      <a href={url} target="_blank" rel="noopener noreferrer" referrerPolicy="no-referrer">
        {children}
      </a>
    )
  },
  img: ({ src, alt }) => {
    const source = typeof src === 'string' ? src : undefined
    const inline = inlineImageSource(source)
    if (inline) return <img src={inline} alt={alt ?? ''} className="md-image" />
    const link = safeLinkUrl(source)
    return (
      <span className="md-blocked-image">
        <Icon name="image" size={16} />
        <span>
          Image not loaded{alt ? `: ${alt}` : ''}
          {link && (
            <>
              {' '}
              (
              <a href={link} target="_blank" rel="noopener noreferrer" referrerPolicy="no-referrer">
                {new URL(link).host}
              </a>
              )
            </>
          )}
        </span>
      </span>
    )
  },
  pre: ({ children }) => {
    const child = Children.toArray(children)[0]
    if (!isValidElement<{ className?: string; children?: ReactNode }>(child)) {
      return <pre>{children}</pre>
    }
    const language = /language-([\w+#-]+)/.exec(child.props.className ?? '')?.[1]
    return <CodeBlock code={textOf(child.props.children).replace(/\n$/, '')} language={language} />
  },
  span: ({ node, children, ...props }) => {
    const cited = node?.properties.dataCitation
    if (typeof cited === 'string') {
      return <CitationMarker numbers={cited.split(' ').map(Number)} text={textOf(children)} />
    }
    return <span {...props}>{children}</span>
  },
  table: ({ children }) => (
    <div className="md-table">
      <table>{children}</table>
    </div>
  ),
}

const remarkPlugins = [remarkGfm]
const rehypePlugins = [rehypeCitations]

/** Rendered blocks by their text, so scrolling a long thread back into view does not re-parse. */
const rendered = new Map<string, ReactElement>()
const renderedLimit = 2_000

function renderBlock(text: string): ReactElement {
  const cached = rendered.get(text)
  if (cached) return cached
  const element = Markdown({
    children: text,
    remarkPlugins,
    rehypePlugins,
    components,
    urlTransform: markdownUrlTransform,
  })
  if (rendered.size >= renderedLimit) {
    const oldest = rendered.keys().next().value
    if (oldest !== undefined) rendered.delete(oldest)
  }
  rendered.set(text, element)
  return element
}

const MarkdownBlock = memo(function MarkdownBlock({ text }: { text: string }) {
  return renderBlock(text)
})

/**
 * A model's reply as GitHub-flavoured markdown. Raw HTML is shown as text, links open in a
 * new tab and only for http(s) and mailto, and images from other origins are not loaded.
 */
export default function MarkdownContent({
  text,
  streaming = false,
}: {
  text: string
  streaming?: boolean
}) {
  const blocks = splitMarkdownBlocks(text)
  return (
    <StreamingContext value={streaming}>
      <div className="markdown">
        {blocks.map((block, index) => (
          // Blocks only grow at the end, so the index is a stable key.
          <MarkdownBlock key={index} text={block} />
        ))}
      </div>
    </StreamingContext>
  )
}
