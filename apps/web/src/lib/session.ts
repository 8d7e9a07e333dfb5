import type { Session } from '@supabase/supabase-js'
import { useSyncExternalStore } from 'react'
import { supabase } from './supabase.ts'

/** `undefined` until supabase-js has read the stored session. */
type SessionState = Session | null | undefined

let current: SessionState
const listeners = new Set<() => void>()

supabase.auth.onAuthStateChange((_event, session) => {
  current = session
  for (const listener of listeners) listener()
})

function subscribe(listener: () => void) {
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
  }
}

export type AuthState = 'loading' | 'signed-in' | 'signed-out'

const authState = (): AuthState =>
  current === undefined ? 'loading' : current ? 'signed-in' : 'signed-out'

/** Whether someone is signed in; token refreshes do not re-render the app. */
export const useAuthState = (): AuthState => useSyncExternalStore(subscribe, authState)

/** Calls `listener` when a different user signs in or the user signs out. */
export function onUserChange(listener: (userId: string | null) => void) {
  let userId: string | null | undefined
  return supabase.auth.onAuthStateChange((_event, session) => {
    const next = session?.user.id ?? null
    if (userId !== undefined && next !== userId) listener(next)
    userId = next
  }).data.subscription
}
