import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query'
import { ApiRequestError, endsSession } from './api-error.ts'
import { supabase } from './supabase.ts'

function signOutWhenUnauthorized(error: unknown) {
  if (endsSession(error)) void supabase.auth.signOut({ scope: 'local' })
}

const isRetryable = (error: unknown) =>
  !(error instanceof ApiRequestError) || error.status === 0 || error.status >= 500

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: signOutWhenUnauthorized }),
  mutationCache: new MutationCache({ onError: signOutWhenUnauthorized }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      retry: (failures, error) => failures < 2 && isRetryable(error),
      refetchOnWindowFocus: false,
    },
  },
})
