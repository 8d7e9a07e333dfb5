/** What `ShowMore` needs of an infinite query. */
interface PagedQuery {
  hasNextPage: boolean
  isFetchingNextPage: boolean
  fetchNextPage: () => unknown
}

/** Loads the next page of a list on request; nothing when there is none. */
export function ShowMore({
  query,
  label = 'Show more',
  className,
}: {
  query: PagedQuery
  label?: string
  className?: string
}) {
  if (!query.hasNextPage) return null
  return (
    <button
      type="button"
      className={className ? `button ${className}` : 'button'}
      disabled={query.isFetchingNextPage}
      onClick={() => void query.fetchNextPage()}
    >
      {query.isFetchingNextPage ? 'Loading…' : label}
    </button>
  )
}
