import type { AdminUser, UpdateAdminUserBody } from '@parley/schema/contracts'
import { type FormEvent, type ReactNode, useEffect, useState } from 'react'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog.tsx'
import { Spinner } from '../../../components/ui/spinner.tsx'
import { describeError } from '../../../lib/api-error.ts'
import { formatUsd } from '../../../lib/format.ts'
import { useMe } from '../../../lib/me-query.ts'
import { useAdminUsers } from './api/get-users.ts'
import { useRecoveryLink } from './api/recovery-link.ts'
import { useUpdateUser } from './api/update-user.ts'
import { ResetLinkDialog } from './reset-link-dialog.tsx'
import { formatDay, periodWords } from './users-format.ts'
import './users-page.css'
import { PageHeader } from '../../../components/ui/page-header.tsx'
import { ShowMore } from '../../../components/ui/show-more.tsx'

/** How long typing pauses before the list is searched. */
const searchDelayMs = 300

/** Accounts, for admins: search by email, give or take the admin role, disable or enable. */
export function UsersPage({ menuButton }: { menuButton?: ReactNode }) {
  const [q, setQ] = useState('')
  const users = useAdminUsers(q)
  const me = useMe()
  const update = useUpdateUser()
  const [notice, setNotice] = useState<string | null>(null)
  const [disabling, setDisabling] = useState<AdminUser | null>(null)
  const [resetting, setResetting] = useState<AdminUser | null>(null)
  const recoveryLink = useRecoveryLink()
  const makeResetLink = (user: AdminUser) => {
    setResetting(user)
    recoveryLink.mutate(user.id)
  }

  const change = (user: AdminUser, body: UpdateAdminUserBody) => {
    setNotice(null)
    update.mutate(
      { id: user.id, change: body },
      { onSuccess: (updated) => setNotice(describeChange(updated, body)) },
    )
  }

  return (
    <div className="admin-users">
      <PageHeader menuButton={menuButton} title="Users" />
      <div className="admin-users__body">
        <p className="field__hint">
          Disabling takes effect at once: the person’s next request is refused and they are signed
          out everywhere. A role change reaches the person when their session next refreshes (within
          minutes), or when they sign in again.
        </p>
        <UserSearch onSearch={setQ} />
        <p className="admin-users__notice" role="status">
          {notice}
        </p>
        {update.isError && (
          <p className="form-error" role="alert">
            {describeError(update.error)}
          </p>
        )}
        <UsersList
          users={users}
          selfId={me.data?.id}
          busy={update.isPending}
          onChange={change}
          onDisable={setDisabling}
          onResetLink={makeResetLink}
        />
      </div>
      <ResetLinkDialog
        user={resetting}
        request={recoveryLink}
        onClose={() => {
          setResetting(null)
          recoveryLink.reset()
        }}
      />
      <ConfirmDisable
        user={disabling}
        onClose={() => setDisabling(null)}
        onConfirm={(user) => {
          setDisabling(null)
          change(user, { disabled: true })
        }}
      />
    </div>
  )
}

function describeChange(user: AdminUser, body: UpdateAdminUserBody): string {
  if (body.disabled === true) return `${user.email} is disabled and signed out everywhere.`
  if (body.disabled === false) return `${user.email} can sign in again.`
  return user.role === 'admin'
    ? `${user.email} is now an admin, from their next session refresh.`
    : `${user.email} is no longer an admin, from their next session refresh.`
}

/** A search box that searches as the admin types (after a pause) or at Enter. */
function UserSearch({ onSearch }: { onSearch: (q: string) => void }) {
  const [text, setText] = useState('')
  useEffect(() => {
    const timer = setTimeout(() => onSearch(text.trim()), searchDelayMs)
    return () => clearTimeout(timer)
  }, [text, onSearch])
  const submit = (event: FormEvent) => {
    event.preventDefault()
    onSearch(text.trim())
  }
  return (
    <search>
      <form className="admin-users__search" onSubmit={submit}>
        <label className="field__label" htmlFor="admin-users-search">
          Search by email
        </label>
        <input
          id="admin-users-search"
          type="search"
          className="input"
          value={text}
          maxLength={255}
          onChange={(event) => setText(event.target.value)}
        />
      </form>
    </search>
  )
}

interface ListProps {
  users: ReturnType<typeof useAdminUsers>
  selfId: string | undefined
  busy: boolean
  onChange: (user: AdminUser, body: UpdateAdminUserBody) => void
  onDisable: (user: AdminUser) => void
  onResetLink: (user: AdminUser) => void
}

function UsersList({ users, ...rowProps }: ListProps) {
  if (users.isError) {
    return (
      <div className="empty-state" role="alert">
        <p>{describeError(users.error)}</p>
        <button type="button" className="button" onClick={() => void users.refetch()}>
          Try again
        </button>
      </div>
    )
  }
  if (!users.data) return <Spinner label="Loading users" />
  const rows = users.data.pages.flatMap((page) => page.items)
  if (rows.length === 0) return <p className="empty-state">No account matches this search.</p>
  return (
    <>
      <div className="admin-users__scroll">
        <table className="admin-users__table">
          <caption className="sr-only">Accounts, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Created</th>
              <th scope="col">Last sign-in</th>
              <th scope="col">Spend this period</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((user) => (
              <UserRow key={user.id} user={user} {...rowProps} />
            ))}
          </tbody>
        </table>
      </div>
      <ShowMore query={users} className="admin-users__more" />
    </>
  )
}

function UserRow({
  user,
  selfId,
  busy,
  onChange,
  onDisable,
  onResetLink,
}: Omit<ListProps, 'users'> & { user: AdminUser }) {
  const self = user.id === selfId
  const disabled = user.status === 'disabled'
  return (
    <tr>
      <th scope="row" title={user.email}>
        {user.email}
        {self && <span className="admin-users__you"> (you)</span>}
      </th>
      <td>{formatDay(user.createdAt)}</td>
      <td>{formatDay(user.lastSignInAt)}</td>
      <td title={periodWords[user.spendPeriod]}>{formatUsd(user.spentUsd)}</td>
      <td>{user.role === 'admin' ? 'Admin' : 'User'}</td>
      <td>{disabled ? 'Disabled' : 'Active'}</td>
      <td className="admin-users__actions">
        <button
          type="button"
          className="button button--small"
          disabled={busy || (self && user.role === 'admin')}
          aria-label={`${user.role === 'admin' ? 'Remove admin from' : 'Make admin'} ${user.email}`}
          onClick={() => onChange(user, { role: user.role === 'admin' ? 'user' : 'admin' })}
        >
          {user.role === 'admin' ? 'Remove admin' : 'Make admin'}
        </button>
        <button
          type="button"
          className={`button button--small${disabled ? '' : ' button--danger'}`}
          disabled={busy || self}
          aria-label={`${disabled ? 'Enable' : 'Disable'} ${user.email}`}
          onClick={() => (disabled ? onChange(user, { disabled: false }) : onDisable(user))}
        >
          {disabled ? 'Enable' : 'Disable'}
        </button>
        <button
          type="button"
          className="button button--small"
          disabled={busy}
          aria-label={`Reset link for ${user.email}`}
          onClick={() => onResetLink(user)}
        >
          Reset link
        </button>
      </td>
    </tr>
  )
}

/** Asks before an account is disabled: its person is signed out everywhere at once. */
function ConfirmDisable({
  user,
  onClose,
  onConfirm,
}: {
  user: AdminUser | null
  onClose: () => void
  onConfirm: (user: AdminUser) => void
}) {
  return (
    <ConfirmDialog
      subject={user}
      title="Disable this account?"
      confirmLabel="Disable"
      onConfirm={onConfirm}
      onClose={onClose}
    >
      <p>
        {user?.email} will be signed out everywhere and cannot sign in or use Parley until an admin
        enables the account again. Their conversations are kept.
      </p>
    </ConfirmDialog>
  )
}
