import { type FormEvent, useState } from 'react'
import { Link } from 'wouter'
import { Spinner } from '../../../components/ui/spinner.tsx'
import { FormError, TextField } from '../../../components/ui/text-field.tsx'
import { authErrorMessage } from '../api/auth-error-message.ts'
import { useEmbeddedAuth } from '../api/get-signup-mode.ts'
import { emailResetLink } from '../api/recovery.ts'
import { AuthLayout } from './auth-layout.tsx'

function EmailResetForm() {
  const [email, setEmail] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [sentTo, setSentTo] = useState<string | null>(null)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await emailResetLink(email.trim())
      setSentTo(email.trim())
    } catch (thrown) {
      setError(authErrorMessage(thrown))
    } finally {
      setBusy(false)
    }
  }

  if (sentTo) {
    return (
      <p role="status">
        If {sentTo} has an account here, a link to choose a new password is on its way. It works
        once.
      </p>
    )
  }
  return (
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
      <button type="submit" className="button button--primary button--wide" disabled={busy}>
        {busy ? 'Sending…' : 'Email me a reset link'}
      </button>
    </form>
  )
}

/** How to get a new password: by email with Supabase Auth, from an admin with the embedded auth. */
export function ForgotPasswordPage() {
  const embedded = useEmbeddedAuth()
  return (
    <AuthLayout title="Forgot your password?">
      {embedded === undefined ? (
        <Spinner label="Loading" />
      ) : embedded ? (
        <p>
          This Parley sends no email. Ask one of its admins for a reset link: they make one in the
          admin console, under Users. The link works once, within an hour.
        </p>
      ) : (
        <EmailResetForm />
      )}
      <p className="auth__switch">
        <Link href="/sign-in">Back to sign in</Link>
      </p>
    </AuthLayout>
  )
}
