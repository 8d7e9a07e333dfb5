import { useEffect, useSyncExternalStore } from 'react'

type Highlighter = typeof import('./highlight-code.tsx')

let highlighter: Highlighter | null = null
let loading: Promise<void> | null = null
const listeners = new Set<() => void>()

function load() {
  if (loading) return
  loading = import('./highlight-code.tsx').then(
    (module) => {
      highlighter = module
      for (const listener of listeners) listener()
    },
    () => {
      // A failed chunk load leaves code unhighlighted; the next code block tries again.
      loading = null
    },
  )
}

/** The syntax highlighter, loaded on first use in its own chunk; null until it arrives. */
export function useHighlighter(enabled: boolean): Highlighter | null {
  useEffect(() => {
    if (enabled) load()
  }, [enabled])
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
    () => highlighter,
  )
}
