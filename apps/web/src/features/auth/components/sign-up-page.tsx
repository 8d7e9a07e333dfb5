import { minPasswordLength } from '@parley/schema/limits'
import { type FormEvent, useState } from 'react'
import { Link, useSearch } from 'wouter'
import { FormError, TextField } from '../../../components/ui/text-field.tsx'
import { supabase } from '../../../lib/supabase.ts'
import { authErrorMessage } from '../api/auth-error-message.ts'
import { useSignupMode } from '../api/get-signup-mode.ts'
import { AuthLayout } from './auth-layout.tsx'

export function SignUpPage() {
  const mode = useSignupMode()
  const search = useSearch()
  const [invitation, setInvitation] = useState(
    () => new URLSearchParams(search).get('invitation') ?? '',
  )
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
        options: {
          data: {
            ...(name ? { display_name: name } : {}),
            ...(mode === 'invite' ? { invitation_token: invitation.trim() } : {}),
          },
        },
      })
      if (error) setError(authErrorMessage(error))
    } catch (thrown) {
      setError(authErrorMessage(thrown))
    } finally {
      setBusy(false)
    }
  }

  if (mode === 'closed') return <SignupClosed />

  return (
    <AuthLayout title="Create your account">
      <form className="auth__form" onSubmit={submit}>
        <FormError message={error} />
        {mode === 'invite' && (
          <TextField
            label="Invitation code"
            hint="From the invitation link an admin sent you."
            autoComplete="off"
            required
            value={invitation}
            onChange={setInvitation}
            invalid={error !== null}
          />
        )}
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

function SignupClosed() {
  return (
    <AuthLayout title="Sign-ups are closed">
      <p>New accounts are not being created on this server. Ask its admin for one.</p>
      <p className="auth__switch">
        Already have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </AuthLayout>
  )
}
