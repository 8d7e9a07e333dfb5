import { minPasswordLength } from '@parley/schema/limits'
import { type FormEvent, type ReactNode, useEffect, useState } from 'react'
import { Link, useLocation } from 'wouter'
import { Spinner } from '../../../components/ui/spinner.tsx'
import { FormError, TextField } from '../../../components/ui/text-field.tsx'
import { useAuthState } from '../../../lib/session.ts'
import { supabase } from '../../../lib/supabase.ts'
import { toast } from '../../../lib/toast-store.ts'
import { authErrorMessage } from '../api/auth-error-message.ts'
import { signInFromResetLink } from '../api/recovery.ts'
import { AuthLayout } from './auth-layout.tsx'

/** Uses the reset link in the address once (a remount after signing in finds it gone). */
let linkUse: ReturnType<typeof signInFromResetLink> | undefined

function useResetLink(): { pending: boolean; error: string | null } {
  const [state, setState] = useState({ pending: true, error: null as string | null })
  useEffect(() => {
    linkUse ??= signInFromResetLink()
    let current = true
    void linkUse.then((result) => {
      if (current)
        setState({ pending: false, error: result?.error ? authErrorMessage(result.error) : null })
    })
    return () => {
      current = false
    }
  }, [])
  return state
}

function NewPasswordForm() {
  const [, navigate] = useLocation()
  const [password, setPassword] = useState('')
  const [repeated, setRepeated] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (password.length < minPasswordLength) {
      setError(`Choose a password of at least ${minPasswordLength} characters.`)
      return
    }
    if (password !== repeated) {
      setError('The two passwords differ.')
      return
    }
    setBusy(true)
    setError(null)
    try {
      const { error } = await supabase.auth.updateUser({ password })
      if (error) throw error
      toast('Your password is changed. Other devices are signed out.')
      navigate('/', { replace: true })
    } catch (thrown) {
      setError(authErrorMessage(thrown))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="auth__form" onSubmit={submit}>
      <FormError message={error} />
      <TextField
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        hint={`At least ${minPasswordLength} characters.`}
        value={password}
        onChange={setPassword}
        invalid={error !== null}
      />
      <TextField
        label="New password again"
        type="password"
        autoComplete="new-password"
        required
        value={repeated}
        onChange={setRepeated}
        invalid={error !== null}
      />
      <button type="submit" className="button button--primary button--wide" disabled={busy}>
        {busy ? 'Saving…' : 'Set the new password'}
      </button>
    </form>
  )
}

/** Where a reset link lands: it signs the person in, then asks for the new password. */
export function ResetPasswordPage() {
  const link = useResetLink()
  const auth = useAuthState()
  let body: ReactNode
  if (link.pending || auth === 'loading') body = <Spinner label="Checking the link" />
  else if (link.error) body = <FormError message={link.error} />
  else if (auth === 'signed-in') body = <NewPasswordForm />
  else body = <p>Open the reset link you were given to choose a new password.</p>
  return (
    <AuthLayout title="Choose a new password">
      {body}
      {auth !== 'signed-in' && (
        <p className="auth__switch">
          <Link href="/sign-in">Back to sign in</Link>
        </p>
      )}
    </AuthLayout>
  )
}
