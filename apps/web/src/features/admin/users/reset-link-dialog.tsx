import type { AdminUser } from '@parley/schema/contracts'
import { CopyButton } from '../../../components/ui/copy-button.tsx'
import { Dialog } from '../../../components/ui/dialog.tsx'
import { Spinner } from '../../../components/ui/spinner.tsx'
import { describeError } from '../../../lib/api-error.ts'
import type { useRecoveryLink } from './api/recovery-link.ts'

/** The reset link made for an account, to copy and hand over: this is the only time it shows. */
export function ResetLinkDialog({
  user,
  request,
  onClose,
}: {
  user: AdminUser | null
  request: ReturnType<typeof useRecoveryLink>
  onClose: () => void
}) {
  return (
    <Dialog open={user !== null} onClose={onClose} title="Password reset link">
      {request.isPending && <Spinner label="Making the link" />}
      {request.isError && (
        <p className="form-error" role="alert">
          {describeError(request.error)}
        </p>
      )}
      {request.data && (
        <>
          <p>
            Give this link to {user?.email} yourself (Parley sends no email). It works once, within
            an hour, and ends their other sessions when they set the new password. It is shown only
            now.
          </p>
          <label className="field__label" htmlFor="reset-link">
            Reset link
          </label>
          <input id="reset-link" className="input" readOnly value={request.data.link} />
          <div className="dialog__actions">
            <CopyButton text={request.data.link} label="Copy link" />
          </div>
        </>
      )}
      <div className="dialog__actions">
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  )
}
