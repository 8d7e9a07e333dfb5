import { use } from 'react'
import { CitationsContext } from './citations-context.ts'

/** `[n]` in a reply: a button to its passage when the reply cites `n`, plain text otherwise. */
export function CitationMarker({ index, text }: { index: number; text: string }) {
  const context = use(CitationsContext)
  const citation = context?.citations.find((candidate) => candidate.index === index)
  if (!context || !citation) return text
  const where = citation.page === null ? '' : `, page ${citation.page}`
  return (
    <button
      type="button"
      className="citation-marker"
      aria-label={`Source ${index}: ${citation.fileName}${where}`}
      title={citation.fileName}
      onClick={() => context.onOpen(citation)}
    >
      {index}
    </button>
  )
}
