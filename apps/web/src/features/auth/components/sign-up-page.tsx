import { type FormEvent, useState } from 'react'
import { Link } from 'wouter'
import { FormError, TextField } from '../../../components/ui/text-field.tsx'
import { supabase } from '../../../lib/supabase.ts'
import { authErrorMessage } from '../api/auth-error-message.ts'
import { AuthLayout } from './auth-layout.tsx'

const minPasswordLength = 8

export function SignUpPage() {
  const [displayName, setDisplayName] = useState('')
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setError(null)
    if (password.length < minPasswordLength) {
      setError(`Choose a password of at least ${minPasswordLength} characters.`)
      return
    }
    setBusy(true)
    try {
      const name = displayName.trim()
      const { error } = await supabase.auth.signUp({
        email: email.trim(),
        password,
        options: { data: name ? { display_name: name } : {} },
      })
      if (error) setError(authErrorMessage(error))
    } catch (thrown) {
      setError(authErrorMessage(thrown))
    } finally {
      setBusy(false)
    }
  }

  return (
    <AuthLayout title="Create your account">
      <form className="auth__form" onSubmit={submit}>
        <FormError message={error} />
        <TextField
          label="Name"
          hint="Optional; shown only to you."
          autoComplete="name"
          value={displayName}
          onChange={setDisplayName}
        />
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
          autoComplete="new-password"
          hint={`At least ${minPasswordLength} characters.`}
          required
          value={password}
          onChange={setPassword}
          invalid={error !== null}
        />
        <button type="submit" className="button button--primary button--wide" disabled={busy}>
          {busy ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
      <p className="auth__switch">
        Already have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </AuthLayout>
  )
}
