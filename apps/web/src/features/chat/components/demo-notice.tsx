/** Shown while only the offline demo model answers, saying how to connect a real one. */
export function DemoNotice() {
  return (
    <aside className="demo-notice" aria-label="Demo mode">
      <strong>Demo mode.</strong> Only the offline demo model is available, so replies are canned.
      To chat with real models, set <code>OPENAI_API_KEY</code> or <code>ANTHROPIC_API_KEY</code>{' '}
      (or <code>OPENAI_BASE_URL</code> for a local OpenAI-compatible server) where the Parley API
      runs, then restart it.
    </aside>
  )
}
