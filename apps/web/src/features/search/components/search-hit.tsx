import type { SearchHit, Snippet } from '@parley/schema/contracts'
import { formatDate } from '../../../lib/format.ts'

/** Where choosing a hit leads: the message in its thread, the conversation, or the file. */
export function hitHref(hit: SearchHit): string {
  if (hit.kind === 'message') {
    return `/c/${hit.conversationId}?message=${encodeURIComponent(hit.messageId)}`
  }
  if (hit.kind === 'conversation') return `/c/${hit.conversationId}`
  return `/files?file=${encodeURIComponent(hit.fileId)}`
}

export const hitKey = (hit: SearchHit) =>
  hit.kind === 'message'
    ? `m:${hit.messageId}`
    : hit.kind === 'conversation'
      ? `c:${hit.conversationId}`
      : `f:${hit.chunkId}`

const kindNames = { message: 'Message', conversation: 'Conversation', file: 'File' } as const

function hitTitle(hit: SearchHit): string {
  if (hit.kind === 'file') {
    return hit.page === null ? hit.fileName : `${hit.fileName}, page ${hit.page}`
  }
  const title = hit.conversationTitle ?? 'Untitled chat'
  if (hit.kind === 'conversation') return title
  return `${hit.role === 'user' ? 'You' : 'Reply'} in ${title}`
}

/** A snippet as text with its matches marked; no markup from the server is ever interpreted. */
export function SnippetText({ snippet }: { snippet: Snippet }) {
  return (
    <>
      {snippet.map((segment, index) =>
        segment.match ? (
          <mark key={index}>{segment.text}</mark>
        ) : (
          <span key={index}>{segment.text}</span>
        ),
      )}
    </>
  )
}

/** One result: its kind, where it is, the matching words and its date. */
export function SearchHitContent({ hit }: { hit: SearchHit }) {
  return (
    <>
      <span className="search-hit__head">
        <span className="search-hit__kind">{kindNames[hit.kind]}</span>
        <span className="search-hit__title">{hitTitle(hit)}</span>
        <time className="search-hit__date" dateTime={hit.createdAt}>
          {formatDate(hit.createdAt)}
        </time>
      </span>
      {hit.kind === 'file' && hit.headingPath.length > 0 && (
        <span className="search-hit__path">{hit.headingPath.join(' › ')}</span>
      )}
      <span className="search-hit__snippet">
        <SnippetText snippet={hit.snippet} />
      </span>
    </>
  )
}
