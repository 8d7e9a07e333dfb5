import { dismissToast, useToastStore } from '../../lib/toast-store.ts'
import { IconButton } from './icon-button.tsx'

/** Where toasts appear; a polite live region so they are read out without stealing focus. */
export function Toaster() {
  const toasts = useToastStore((state) => state.toasts)
  return (
    <section className="toaster" aria-live="polite" aria-label="Notifications">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast--${t.tone}`}>
          <span>{t.message}</span>
          <IconButton icon="close" label="Dismiss" onClick={() => dismissToast(t.id)} />
        </div>
      ))}
    </section>
  )
}
