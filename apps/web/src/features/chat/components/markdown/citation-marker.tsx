import type { Citation } from '@parley/schema/contracts'
import { use } from 'react'
import { CitationsContext } from './citations-context.ts'

function CitationButton({ citation, onOpen }: { citation: Citation; onOpen: () => void }) {
  const where = citation.page === null ? '' : `, page ${citation.page}`
  return (
    <button
      type="button"
      className="citation-marker"
      aria-label={`Source ${citation.index}: ${citation.fileName}${where}`}
      title={citation.fileName}
      onClick={onOpen}
    >
      {citation.index}
    </button>
  )
}

/**
 * A citation marker in a reply (`[n]` or `[n, m]`): a button to each cited passage, plain text
 * where no citation stands behind a number, and the text as written when none does.
 */
export function CitationMarker({ numbers, text }: { numbers: number[]; text: string }) {
  const context = use(CitationsContext)
  const cited = numbers.map((n) => context?.citations.find((c) => c.index === n))
  if (!context || cited.every((citation) => !citation)) return text
  return numbers.map((n, i) => {
    const citation = cited[i]
    const key = `${i}-${n}`
    if (!citation) return <span key={key}>[{n}]</span>
    return <CitationButton key={key} citation={citation} onOpen={() => context.onOpen(citation)} />
  })
}
