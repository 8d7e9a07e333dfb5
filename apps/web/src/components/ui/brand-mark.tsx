/** Parley's mark: two speech bubbles, one answering the other. Decorative next to the name. */
export function BrandMark({ size = 20 }: { size?: number }) {
  return (
    <svg
      className="brand-mark"
      width={size}
      height={size}
      viewBox="0 0 32 32"
      aria-hidden="true"
      focusable="false"
    >
      <rect className="brand-mark__tile" width="32" height="32" rx="8" />
      <path
        d="M10 6h8a4 4 0 0 1 4 4v3a4 4 0 0 1-4 4h-5l-4 3.5v-3.6A4 4 0 0 1 6 13v-3a4 4 0 0 1 4-4z"
        className="brand-mark__bubble brand-mark__bubble--asked"
      />
      <path
        d="M14 12.5h8a4 4 0 0 1 4 4v3a4 4 0 0 1-3 3.87V27l-4-3.5h-5a4 4 0 0 1-4-4v-3a4 4 0 0 1 4-4z"
        className="brand-mark__bubble"
      />
    </svg>
  )
}
