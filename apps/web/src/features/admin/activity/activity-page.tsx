import { type ActivityEntry, activityTypes } from '@parley/schema/contracts'
import { type ReactNode, useId, useState } from 'react'
import { DownloadCsv } from '../../../components/ui/download-csv.tsx'
import { Spinner } from '../../../components/ui/spinner.tsx'
import { type ActivityFilter, api } from '../../../lib/api-client.ts'
import { describeError } from '../../../lib/api-error.ts'
import { useActivity } from './api/get-activity.ts'
import '../logs/admin-logs.css'
import { PageHeader } from '../../../components/ui/page-header.tsx'
import { ShowMore } from '../../../components/ui/show-more.tsx'

/** The filter as typed: every field a string, empty when unset. */
type ActivityForm = Record<keyof ActivityFilter, string>

const typeLabel = (type: string) => type.replaceAll('_', ' ')

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The filter the API gets: only the fields set, and a user id only once it is a whole one. */
function apiFilter(form: ActivityForm): ActivityFilter {
  const userId = form.userId.trim()
  return {
    ...(uuidPattern.test(userId) ? { userId } : {}),
    ...(form.type ? { type: form.type } : {}),
    ...(form.from ? { from: form.from } : {}),
    ...(form.to ? { to: form.to } : {}),
  }
}

function ActivityFilters({
  form,
  onChange,
}: {
  form: ActivityForm
  onChange: (form: ActivityForm) => void
}) {
  const id = useId()
  const set = (key: keyof ActivityFilter) => (value: string) => onChange({ ...form, [key]: value })
  return (
    <form
      className="admin-log__filters"
      aria-label="Filter activity"
      onSubmit={(e) => e.preventDefault()}
    >
      <div className="field">
        <label className="field__label" htmlFor={`${id}-user`}>
          User ID
        </label>
        <input
          id={`${id}-user`}
          className="input input--compact"
          value={form.userId}
          placeholder="Any user"
          spellCheck={false}
          onChange={(event) => set('userId')(event.target.value)}
        />
      </div>
      <div className="field">
        <label className="field__label" htmlFor={`${id}-type`}>
          Type
        </label>
        <select
          id={`${id}-type`}
          className="select"
          value={form.type}
          onChange={(event) => set('type')(event.target.value)}
        >
          <option value="">Any type</option>
          {activityTypes.map((type) => (
            <option key={type} value={type}>
              {typeLabel(type)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label className="field__label" htmlFor={`${id}-from`}>
          From
        </label>
        <input
          id={`${id}-from`}
          type="date"
          className="input input--compact"
          value={form.from}
          onChange={(event) => set('from')(event.target.value)}
        />
      </div>
      <div className="field">
        <label className="field__label" htmlFor={`${id}-to`}>
          To
        </label>
        <input
          id={`${id}-to`}
          type="date"
          className="input input--compact"
          value={form.to}
          onChange={(event) => set('to')(event.target.value)}
        />
      </div>
    </form>
  )
}

const details = (metadata: ActivityEntry['metadata']) =>
  Object.entries(metadata)
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join(', ')

function ActivityTable({ items }: { items: ActivityEntry[] }) {
  if (items.length === 0) return <p className="admin-log__hint">No activity matches.</p>
  return (
    <div className="admin-log__scroll">
      <table className="admin-log__table">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">User</th>
            <th scope="col">What</th>
            <th scope="col">Target</th>
            <th scope="col">Details</th>
            <th scope="col">Request</th>
          </tr>
        </thead>
        <tbody>
          {items.map((entry) => (
            <tr key={entry.id}>
              <td>
                <time dateTime={entry.createdAt}>{new Date(entry.createdAt).toLocaleString()}</time>
              </td>
              <td>
                <code title={entry.userId}>{entry.userId.slice(0, 8)}</code>
              </td>
              <th scope="row">{typeLabel(entry.type)}</th>
              <td>
                {entry.targetId ? (
                  <code title={entry.targetId}>{entry.targetId.slice(0, 8)}</code>
                ) : (
                  '—'
                )}
              </td>
              <td>{details(entry.metadata) || '—'}</td>
              <td>{entry.requestId ? <code>{entry.requestId}</code> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

const emptyForm: ActivityForm = { userId: '', type: '', from: '', to: '' }

/** What everyone did (admins): filter by user, type and days; download as CSV. */
export function ActivityPage({ menuButton }: { menuButton?: ReactNode }) {
  const [form, setForm] = useState(emptyForm)
  const filter = apiFilter(form)
  const activity = useActivity(filter)
  const items = activity.data?.pages.flatMap((page) => page.items) ?? []

  return (
    <div className="admin-log">
      <PageHeader menuButton={menuButton} title="Activity">
        <DownloadCsv download={() => api.logs.activityCsv(filter)} />
      </PageHeader>
      <div className="admin-log__body">
        <div className="admin-log__content">
          <ActivityFilters form={form} onChange={setForm} />
          <section className="admin-log__card" aria-label="Activity log">
            <h2 className="admin-log__card-title">Activity log</h2>
            {activity.isError ? (
              <div className="empty-state" role="alert">
                <p>{describeError(activity.error)}</p>
                <button type="button" className="button" onClick={() => void activity.refetch()}>
                  Try again
                </button>
              </div>
            ) : activity.isPending ? (
              <Spinner label="Loading activity" />
            ) : (
              <ActivityTable items={items} />
            )}
          </section>
          <ShowMore query={activity} label="Show older" className="admin-log__more" />
        </div>
      </div>
    </div>
  )
}
