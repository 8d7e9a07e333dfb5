import { IconButton } from '../../../components/ui/icon-button.tsx'
import { dismissDemoNotice, useDemoNoticeStore } from '../stores/demo-notice-store.ts'

/**
 * Shown while only the offline demo model answers, saying how to connect a real one. It sits in
 * the page above the thread (never over it) and stays closed once closed.
 */
export function DemoNotice() {
  const dismissed = useDemoNoticeStore((state) => state.dismissed)
  if (dismissed) return null
  return (
    <aside className="demo-notice" aria-label="Demo mode">
      <p>
        <strong>Demo mode.</strong> Only the offline demo model is available, so replies are canned.
        To chat with real models, set <code>OPENAI_API_KEY</code> or <code>ANTHROPIC_API_KEY</code>{' '}
        (or <code>OPENAI_BASE_URL</code> for a local OpenAI-compatible server) where the Parley API
        runs, then restart it.
      </p>
      <IconButton icon="close" label="Dismiss the demo notice" onClick={dismissDemoNotice} />
    </aside>
  )
}
