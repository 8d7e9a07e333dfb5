import { QueryClientProvider } from '@tanstack/react-query'
import { lazy, Suspense, useEffect } from 'react'
import { Redirect, Route, Switch, useRoute } from 'wouter'
import { Spinner } from '../components/ui/spinner.tsx'
import { Toaster } from '../components/ui/toaster.tsx'
import { SignInPage } from '../features/auth/components/sign-in-page.tsx'
import { SignUpPage } from '../features/auth/components/sign-up-page.tsx'
import { clearDrafts } from '../features/chat/stores/draft-store.ts'
import { resetStreams } from '../features/chat/stores/stream-store.ts'
import { closeSearch } from '../features/search/stores/search-store.ts'
import { queryClient } from '../lib/query-client.ts'
import { onUserChange, useAuthState } from '../lib/session.ts'
import { resetUploads } from '../lib/upload-store.ts'
import { AppLayout } from './app-layout.tsx'

const ForgotPasswordPage = lazy(() =>
  import('../features/auth/components/forgot-password-page.tsx').then((m) => ({
    default: m.ForgotPasswordPage,
  })),
)
const ResetPasswordPage = lazy(() =>
  import('../features/auth/components/reset-password-page.tsx').then((m) => ({
    default: m.ResetPasswordPage,
  })),
)

const SharedConversationPage = lazy(() =>
  import('../features/chat/components/shared-conversation-page.tsx').then((m) => ({
    default: m.SharedConversationPage,
  })),
)

function Splash() {
  return (
    <div className="page-loading">
      <Spinner label="Starting Parley" />
    </div>
  )
}

function Routes() {
  const auth = useAuthState()
  // A shared conversation is public: it shows whether or not anyone is signed in.
  const [shared, params] = useRoute('/s/:shareId')
  const [resetting] = useRoute('/reset-password')
  if (shared) return <SharedConversationPage shareId={params.shareId} />
  // A reset link signs its person in on this page, which then asks for the new password.
  if (resetting) {
    return (
      <>
        <title>Choose a new password · Parley</title>
        <ResetPasswordPage />
      </>
    )
  }
  if (auth === 'loading') return <Splash />
  if (auth === 'signed-out') {
    return (
      <Switch>
        <Route path="/sign-up">
          <title>Create an account · Parley</title>
          <SignUpPage />
        </Route>
        <Route path="/forgot-password">
          <title>Forgot your password · Parley</title>
          <ForgotPasswordPage />
        </Route>
        <Route>
          <title>Sign in · Parley</title>
          <SignInPage />
        </Route>
      </Switch>
    )
  }
  return (
    <Switch>
      <Route path="/sign-in">
        <Redirect to="/" replace />
      </Route>
      <Route path="/sign-up">
        <Redirect to="/" replace />
      </Route>
      <Route>
        <AppLayout />
      </Route>
    </Switch>
  )
}

export function App() {
  useEffect(() => {
    // Nothing of one user's may remain on screen or in memory for the next.
    const subscription = onUserChange(() => {
      queryClient.clear()
      resetStreams()
      clearDrafts()
      resetUploads()
      closeSearch()
    })
    return () => subscription.unsubscribe()
  }, [])

  return (
    <QueryClientProvider client={queryClient}>
      <Suspense fallback={<Splash />}>
        <Routes />
      </Suspense>
      <Toaster />
    </QueryClientProvider>
  )
}
