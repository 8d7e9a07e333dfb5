import { lazy, Suspense } from 'react'

const MarkdownContent = lazy(() => import('./markdown/markdown-content.tsx'))

/** Markdown in its own chunk; until it arrives the text shows as plain paragraphs. */
export function LazyMarkdown({ text, streaming = false }: { text: string; streaming?: boolean }) {
  return (
    <Suspense fallback={<div className="markdown markdown--plain">{text}</div>}>
      <MarkdownContent text={text} streaming={streaming} />
    </Suspense>
  )
}
