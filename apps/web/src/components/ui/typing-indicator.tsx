/** Three pulsing dots while the reply has not started. */
export function TypingIndicator() {
  return (
    <p className="typing">
      <span className="sr-only">Parley is writing</span>
      <span className="typing__dot" aria-hidden="true" />
      <span className="typing__dot" aria-hidden="true" />
      <span className="typing__dot" aria-hidden="true" />
    </p>
  )
}
