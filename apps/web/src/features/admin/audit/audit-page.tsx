import type { AuditEntry } from '@parley/schema/contracts'
import { type ReactNode, useId, useState } from 'react'
import { Spinner } from '../../../components/ui/spinner.tsx'
import { describeError } from '../../../lib/api-error.ts'
import { useAdminAudit } from './api/admin-audit.ts'
import './audit.css'
import { PageHeader } from '../../../components/ui/page-header.tsx'
import { ShowMore } from '../../../components/ui/show-more.tsx'

const when = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' })

const targetTypes = [
  { value: '', label: 'All changes' },
  { value: 'model', label: 'Models' },
  { value: 'budget', label: 'Budgets' },
  { value: 'user', label: 'Users' },
]

/** Every admin change, newest first (admins): who, when, what, and before → after. */
export function AuditPage({ menuButton }: { menuButton?: ReactNode }) {
  const [targetType, setTargetType] = useState('')
  const audit = useAdminAudit(targetType)
  const filterId = useId()
  const entries = audit.data?.pages.flatMap((page) => page.items) ?? []

  return (
    <div className="admin-audit">
      <PageHeader menuButton={menuButton} title="Audit">
        <label htmlFor={filterId} className="admin-audit__filter-label">
          Show
        </label>
        <select
          id={filterId}
          value={targetType}
          onChange={(event) => setTargetType(event.target.value)}
        >
          {targetTypes.map((type) => (
            <option key={type.value} value={type.value}>
              {type.label}
            </option>
          ))}
        </select>
      </PageHeader>
      <div className="admin-audit__body">
        {audit.isPending ? (
          <Spinner label="Loading changes" />
        ) : audit.isError ? (
          <div role="alert" className="admin-audit__error">
            <p>{describeError(audit.error)}</p>
            <button type="button" className="button" onClick={() => void audit.refetch()}>
              Try again
            </button>
          </div>
        ) : entries.length === 0 ? (
          <p className="admin-audit__hint">No changes yet.</p>
        ) : (
          <AuditTable entries={entries} />
        )}
        <ShowMore query={audit} label="Show older changes" />
      </div>
    </div>
  )
}

function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <table className="admin-audit__table">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">What</th>
          <th scope="col">Change</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <AuditRow key={entry.id} entry={entry} />
        ))}
      </tbody>
    </table>
  )
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  return (
    <tr>
      <td>
        <time dateTime={entry.createdAt}>{when.format(new Date(entry.createdAt))}</time>
      </td>
      <td>{entry.actorEmail ?? entry.actorId ?? 'a deleted account'}</td>
      <td>
        {entry.action} <code>{entry.targetId}</code>
      </td>
      <td>
        <ul className="admin-audit__changes">
          {changedFields(entry).map(({ field, before, after }) => (
            <li key={field}>
              <span className="admin-audit__field">{field}</span>: {before} → {after}
            </li>
          ))}
        </ul>
      </td>
    </tr>
  )
}

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}

function show(value: unknown): string {
  if (value === undefined || value === null) return 'none'
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(', ')
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

/** Each field either side mentions, with its value before and after. */
export function changedFields(entry: Pick<AuditEntry, 'before' | 'after'>) {
  const before = asRecord(entry.before)
  const after = asRecord(entry.after)
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])]
  return fields.map((field) => ({
    field,
    before: entry.before === null ? 'none' : show(before[field]),
    after: entry.after === null ? 'none' : show(after[field]),
  }))
}
