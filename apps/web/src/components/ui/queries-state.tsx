import type { ReactNode } from 'react'
import { describeError } from '../../lib/api-error.ts'
import { Spinner } from './spinner.tsx'

/** A page's state while any of its queries is loading or failed: a spinner, or the error and a retry. */
export function QueriesState({
  queries,
  label,
  children,
}: {
  queries: readonly { isError: boolean; error: unknown; refetch: () => unknown }[]
  label: string
  children: ReactNode | null
}) {
  const failed = queries.find((query) => query.isError)
  if (failed) {
    return (
      <div className="empty-state" role="alert">
        <p>{describeError(failed.error)}</p>
        <button
          type="button"
          className="button"
          onClick={() => {
            for (const query of queries) void query.refetch()
          }}
        >
          Try again
        </button>
      </div>
    )
  }
  return children ?? <Spinner label={label} />
}
