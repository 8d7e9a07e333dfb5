import type { ErrorEntry, ErrorGroup, ErrorGroupBy } from '@parley/schema/contracts'
import { type FormEvent, type ReactNode, useId, useState } from 'react'
import { DownloadCsv } from '../../../components/ui/download-csv.tsx'
import { Spinner } from '../../../components/ui/spinner.tsx'
import { api, type ErrorFilter } from '../../../lib/api-client.ts'
import { describeError } from '../../../lib/api-error.ts'
import { toast } from '../../../lib/toast-store.ts'
import { useErrorGroups, useErrorList } from './api/get-errors.ts'
import { useResolveError } from './api/resolve-error.ts'
import '../logs/admin-logs.css'
import { PageHeader } from '../../../components/ui/page-header.tsx'
import { ShowMore } from '../../../components/ui/show-more.tsx'

const when = (iso: string) => new Date(iso).toLocaleString()

function Failed({ error, retry }: { error: unknown; retry: () => unknown }) {
  return (
    <div className="empty-state" role="alert">
      <p>{describeError(error)}</p>
      <button type="button" className="button" onClick={() => void retry()}>
        Try again
      </button>
    </div>
  )
}

function ErrorGroupsCard({ groupBy, filter }: { groupBy: ErrorGroupBy; filter: ErrorFilter }) {
  const groups = useErrorGroups(groupBy, filter)
  const title = groupBy === 'route' ? 'By route' : 'By code'
  const items: ErrorGroup[] = groups.data?.items ?? []
  return (
    <section className="admin-log__card" aria-label={title}>
      <h2 className="admin-log__card-title">{title}</h2>
      {groups.isError ? (
        <Failed error={groups.error} retry={groups.refetch} />
      ) : groups.isPending ? (
        <Spinner label={`Loading errors ${title.toLowerCase()}`} />
      ) : items.length === 0 ? (
        <p className="admin-log__hint">No errors.</p>
      ) : (
        <div className="admin-log__scroll">
          <table className="admin-log__table">
            <thead>
              <tr>
                <th scope="col">{groupBy === 'route' ? 'Route' : 'Code'}</th>
                <th scope="col">Errors</th>
                <th scope="col">Open</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {items.map((group) => (
                <tr key={group.key ?? ''}>
                  <th scope="row">
                    <code>{group.key ?? (groupBy === 'route' ? 'model call' : 'none')}</code>
                  </th>
                  <td>{group.count}</td>
                  <td>{group.unresolved}</td>
                  <td>{when(group.lastSeenAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

/** Resolve with a note, or reopen a resolved error. */
function ResolveControl({ entry }: { entry: ErrorEntry }) {
  const id = useId()
  const [open, setOpen] = useState(false)
  const [note, setNote] = useState('')
  const resolve = useResolveError()
  const change = (resolved: boolean) =>
    resolve.mutate(
      { id: entry.id, resolved, ...(resolved && note.trim() ? { note: note.trim() } : {}) },
      {
        onSuccess: () => setOpen(false),
        onError: (error) => toast(`The error could not be changed. ${describeError(error)}`),
      },
    )
  if (entry.resolvedAt) {
    return (
      <button
        type="button"
        className="button button--small"
        disabled={resolve.isPending}
        onClick={() => change(false)}
      >
        Reopen
      </button>
    )
  }
  if (!open) {
    return (
      <button type="button" className="button button--small" onClick={() => setOpen(true)}>
        Resolve
      </button>
    )
  }
  const submit = (event: FormEvent) => {
    event.preventDefault()
    change(true)
  }
  return (
    <form className="admin-log__resolve" onSubmit={submit} aria-label="Resolve this error">
      <label className="field__label" htmlFor={`${id}-note`}>
        Resolution note
      </label>
      <textarea
        id={`${id}-note`}
        className="input input--multiline"
        rows={2}
        maxLength={2000}
        value={note}
        onChange={(event) => setNote(event.target.value)}
      />
      <div>
        <button
          type="submit"
          className="button button--primary button--small"
          disabled={resolve.isPending}
        >
          Mark resolved
        </button>{' '}
        <button
          type="button"
          className="button button--ghost button--small"
          onClick={() => setOpen(false)}
        >
          Cancel
        </button>
      </div>
    </form>
  )
}

function ErrorRow({ entry }: { entry: ErrorEntry }) {
  return (
    <tr>
      <td>
        <time dateTime={entry.createdAt}>{when(entry.createdAt)}</time>
      </td>
      <td>{entry.severity}</td>
      <th scope="row">
        <code>{entry.code}</code>
      </th>
      <td>
        {entry.route ? <code>{entry.route}</code> : null}
        {entry.model ? <code>{entry.model}</code> : null}
      </td>
      <td>{entry.message}</td>
      <td>{entry.requestId ? <code>{entry.requestId}</code> : '—'}</td>
      <td>
        {entry.resolvedAt ? (
          <>
            Resolved {when(entry.resolvedAt)}
            {entry.resolutionNote ? (
              <p className="admin-log__note">{entry.resolutionNote}</p>
            ) : null}
          </>
        ) : (
          'Open'
        )}
      </td>
      <td>
        <ResolveControl entry={entry} />
      </td>
    </tr>
  )
}

function ErrorList({ filter }: { filter: ErrorFilter }) {
  const list = useErrorList(filter)
  const items = list.data?.pages.flatMap((page) => page.items) ?? []
  return (
    <section className="admin-log__card" aria-label="Error log">
      <h2 className="admin-log__card-title">Error log</h2>
      {list.isError ? (
        <Failed error={list.error} retry={list.refetch} />
      ) : list.isPending ? (
        <Spinner label="Loading errors" />
      ) : items.length === 0 ? (
        <p className="admin-log__hint">No errors.</p>
      ) : (
        <div className="admin-log__scroll">
          <table className="admin-log__table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Severity</th>
                <th scope="col">Code</th>
                <th scope="col">Where</th>
                <th scope="col">Message</th>
                <th scope="col">Request</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((entry) => (
                <ErrorRow key={entry.id} entry={entry} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ShowMore query={list} label="Show older" className="admin-log__more" />
    </section>
  )
}

const showOptions = [
  { value: 'false', label: 'Open' },
  { value: 'true', label: 'Resolved' },
  { value: '', label: 'All' },
] as const

/** Server errors and provider failures (admins): counted per route and code, listed, resolved. */
export function ErrorsPage({ menuButton }: { menuButton?: ReactNode }) {
  const id = useId()
  const [show, setShow] = useState<'true' | 'false' | ''>('false')
  const filter: ErrorFilter = show ? { resolved: show } : {}
  return (
    <div className="admin-log">
      <PageHeader menuButton={menuButton} title="Errors">
        <DownloadCsv download={() => api.logs.errorsCsv(filter)} />
      </PageHeader>
      <div className="admin-log__body">
        <div className="admin-log__content">
          <div className="admin-log__filters">
            <div className="field">
              <label className="field__label" htmlFor={`${id}-show`}>
                Show
              </label>
              <select
                id={`${id}-show`}
                className="select"
                value={show}
                onChange={(event) => setShow(event.target.value as typeof show)}
              >
                {showOptions.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div className="admin-log__groups">
            <ErrorGroupsCard groupBy="route" filter={filter} />
            <ErrorGroupsCard groupBy="code" filter={filter} />
          </div>
          <ErrorList filter={filter} />
        </div>
      </div>
    </div>
  )
}
