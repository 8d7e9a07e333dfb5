import { type FormEvent, useState } from 'react'
import { Dialog } from '../../../components/ui/dialog.tsx'
import { FormError, TextField } from '../../../components/ui/text-field.tsx'
import { api } from '../../../lib/api-client.ts'
import { describeError } from '../../../lib/api-error.ts'
import { supabase } from '../../../lib/supabase.ts'
import { toast } from '../../../lib/toast-store.ts'
import { authErrorMessage } from '../../auth/api/auth-error-message.ts'
import { signOut } from '../../auth/api/sign-out.ts'

const passwordMessages: Record<string, string> = {
  current_password_mismatch: 'The current password is not right.',
  current_password_required: 'Enter your current password.',
  same_password: 'The new password is the one you have now. Choose another.',
}

/** Current password, then the new one twice; other devices are signed out when it changes. */
function ChangePassword() {
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [again, setAgain] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setError(null)
    if (next !== again) {
      setError('The new passwords do not match.')
      return
    }
    setSaving(true)
    const { error: refused } = await supabase.auth.updateUser({
      password: next,
      current_password: current,
    })
    setSaving(false)
    if (refused) {
      setError((refused.code && passwordMessages[refused.code]) || authErrorMessage(refused))
      return
    }
    setCurrent('')
    setNext('')
    setAgain('')
    toast('Password changed. Other devices are signed out.')
  }

  return (
    <form className="account__part" onSubmit={(event) => void submit(event)} noValidate>
      <h3 className="account__heading">Change password</h3>
      <TextField
        label="Current password"
        type="password"
        autoComplete="current-password"
        value={current}
        onChange={setCurrent}
        required
      />
      <TextField
        label="New password"
        hint="At least 8 characters."
        type="password"
        autoComplete="new-password"
        value={next}
        onChange={setNext}
        required
      />
      <TextField
        label="New password, again"
        type="password"
        autoComplete="new-password"
        value={again}
        onChange={setAgain}
        invalid={again !== '' && again !== next}
        required
      />
      <FormError message={error} />
      <div className="settings__actions">
        <button type="submit" className="button" disabled={saving || !current || !next || !again}>
          {saving ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  )
}

/** Asks for the account's email before deleting it, and says what goes. */
function DeleteAccount({ email }: { email: string }) {
  const [open, setOpen] = useState(false)
  const [typed, setTyped] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [deleting, setDeleting] = useState(false)
  const matches = typed.trim().toLowerCase() === email.toLowerCase()

  const close = () => {
    setOpen(false)
    setTyped('')
    setError(null)
  }
  const confirm = async (event: FormEvent) => {
    event.preventDefault()
    if (!matches) return
    setDeleting(true)
    try {
      await api.me.delete({ confirmEmail: typed.trim() })
      await signOut()
    } catch (failure) {
      setError(describeError(failure))
      setDeleting(false)
    }
  }

  return (
    <div className="account__part">
      <h3 className="account__heading">Delete account</h3>
      <p className="field__hint">
        Deletes your conversations, messages, feedback and settings for good. What your replies cost
        stays in the team’s usage totals, without your name.
      </p>
      <div className="settings__actions">
        <button type="button" className="button button--danger" onClick={() => setOpen(true)}>
          Delete account…
        </button>
      </div>
      <Dialog open={open} onClose={close} title="Delete your account?">
        <form onSubmit={(event) => void confirm(event)}>
          <p>
            This cannot be undone. To confirm, type your email address, <strong>{email}</strong>.
          </p>
          <TextField
            label="Your email address"
            type="email"
            autoComplete="off"
            value={typed}
            onChange={setTyped}
          />
          <FormError message={error} />
          <div className="dialog__actions">
            <button type="button" className="button" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="button button--danger" disabled={!matches || deleting}>
              {deleting ? 'Deleting…' : 'Delete account'}
            </button>
          </div>
        </form>
      </Dialog>
    </div>
  )
}

/**
 * The account itself: its password, its sessions, and deleting it. Changing the password is
 * for the embedded sign-in; with Supabase the same call goes to the project's Auth.
 */
export function AccountSection({ email }: { email: string }) {
  const [signingOut, setSigningOut] = useState(false)
  return (
    <section className="settings__section" aria-labelledby="account-heading">
      <h2 id="account-heading" className="settings__heading">
        Account
      </h2>
      <ChangePassword />
      <div className="account__part">
        <h3 className="account__heading">Sessions</h3>
        <p className="field__hint">Signs you out here and on every other device.</p>
        <div className="settings__actions">
          <button
            type="button"
            className="button"
            disabled={signingOut}
            onClick={() => {
              setSigningOut(true)
              void signOut({ everywhere: true })
            }}
          >
            Sign out everywhere
          </button>
        </div>
      </div>
      <DeleteAccount email={email} />
    </section>
  )
}
