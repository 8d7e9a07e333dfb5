import { type FormEvent, useState } from 'react'
import { Link } from 'wouter'
import { FormError, TextField } from '../../../components/ui/text-field.tsx'
import { supabase } from '../../../lib/supabase.ts'
import { authErrorMessage } from '../api/auth-error-message.ts'
import { useSignupMode } from '../api/get-signup-mode.ts'
import { AuthLayout } from './auth-layout.tsx'

export function SignInPage() {
  const signupMode = useSignupMode()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const { error } = await supabase.auth.signInWithPassword({ email: email.trim(), password })
      if (error) setError(authErrorMessage(error))
    } catch (thrown) {
      setError(authErrorMessage(thrown))
    } finally {
      setBusy(false)
    }
  }

  return (
    <AuthLayout title="Sign in">
      <form className="auth__form" onSubmit={submit}>
        <FormError message={error} />
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={setEmail}
          invalid={error !== null}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={setPassword}
          invalid={error !== null}
        />
        <button type="submit" className="button button--primary button--wide" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="auth__switch">
        <Link href="/forgot-password">Forgot your password?</Link>
      </p>
      {signupMode !== 'closed' && (
        <p className="auth__switch">
          New to Parley? <Link href="/sign-up">Create an account</Link>
        </p>
      )}
    </AuthLayout>
  )
}
