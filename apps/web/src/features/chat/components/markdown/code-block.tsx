import { type ReactNode, useContext, useMemo } from 'react'
import { CopyButton } from '../../../../components/ui/copy-button.tsx'
import { StreamingContext } from './streaming-context.ts'
import { useHighlighter } from './use-highlighter.ts'

/** A fenced code block with its language, a copy button and (lazily) syntax colours. */
export function CodeBlock({ code, language }: { code: string; language: string | undefined }) {
  const streaming = useContext(StreamingContext)
  const highlighter = useHighlighter(Boolean(language) && !streaming)
  const highlighted: ReactNode | null = useMemo(
    () => (highlighter && !streaming ? highlighter.highlightCode(code, language) : null),
    [highlighter, streaming, code, language],
  )
  return (
    <div className="code-block">
      <div className="code-block__bar">
        <span className="code-block__language">{language ?? 'text'}</span>
        <CopyButton text={code} label="Copy code" className="code-block__copy" />
      </div>
      <pre className="code-block__pre">
        <code className={`hljs${language ? ` language-${language}` : ''}`}>
          {highlighted ?? code}
        </code>
      </pre>
    </div>
  )
}
