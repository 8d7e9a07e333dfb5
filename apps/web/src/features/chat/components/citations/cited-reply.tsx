import type { Citation, Message } from '@parley/schema/contracts'
import { type ReactNode, useMemo, useState } from 'react'
import { Link } from 'wouter'
import { Dialog } from '../../../../components/ui/dialog.tsx'
import { CitationsContext } from '../markdown/citations-context.ts'
import './citations.css'

/** A reply's citations; every other message has none. */
export const citationsOf = (message: Message): Citation[] => message.citations

const whereIn = (citation: Citation) =>
  [
    citation.page === null ? null : `Page ${citation.page}`,
    citation.headingPath.join(' › ') || null,
  ]
    .filter((part) => part !== null)
    .join(' · ')

function CitationDialog({ citation, onClose }: { citation: Citation | null; onClose: () => void }) {
  return (
    <Dialog
      open={citation !== null}
      onClose={onClose}
      title={citation ? `[${citation.index}] ${citation.fileName}` : ''}
      className="citation-dialog"
    >
      {citation && (
        <>
          {whereIn(citation) && <p className="citation-dialog__where">{whereIn(citation)}</p>}
          <blockquote className="citation-dialog__snippet">{citation.snippet}</blockquote>
          <div className="dialog__actions">
            <Link href={`/files?file=${encodeURIComponent(citation.fileId)}`} className="button">
              Open in Files
            </Link>
            <button type="button" className="button button--primary" onClick={onClose}>
              Close
            </button>
          </div>
        </>
      )}
    </Dialog>
  )
}

function SourcesList({
  citations,
  onOpen,
}: {
  citations: readonly Citation[]
  onOpen: (citation: Citation) => void
}) {
  return (
    <section className="sources" aria-label="Sources">
      <h3 className="sources__title">Sources</h3>
      <ol className="sources__list">
        {citations.map((citation) => (
          <li key={citation.index}>
            <button type="button" className="sources__item" onClick={() => onOpen(citation)}>
              <span className="sources__index">[{citation.index}]</span> {citation.fileName}
              {citation.page !== null && `, p. ${citation.page}`}
            </button>
          </li>
        ))}
      </ol>
    </section>
  )
}

/**
 * A reply that cites passages: its `[n]` markers open the passage, and its sources are listed
 * below it. A reply without citations is shown as it is.
 */
export function CitedReply({
  citations,
  children,
}: {
  citations: Citation[]
  children: ReactNode
}) {
  const [open, setOpen] = useState<Citation | null>(null)
  const context = useMemo(() => ({ citations, onOpen: setOpen }), [citations])
  if (citations.length === 0) return children
  return (
    <CitationsContext value={context}>
      {children}
      <SourcesList citations={citations} onOpen={setOpen} />
      <CitationDialog citation={open} onClose={() => setOpen(null)} />
    </CitationsContext>
  )
}
