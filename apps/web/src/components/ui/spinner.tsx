/** A small busy indicator with a name for screen readers. */
export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <span className="spinner" role="status">
      <span className="spinner__dot" aria-hidden="true" />
      <span className="sr-only">{label}</span>
    </span>
  )
}
