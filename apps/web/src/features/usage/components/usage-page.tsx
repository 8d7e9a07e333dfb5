import type { Budget } from '@parley/schema/contracts'
import { type ReactNode, useId } from 'react'
import { Link } from 'wouter'
import { DownloadCsv } from '../../../components/ui/download-csv.tsx'
import { QueriesState } from '../../../components/ui/queries-state.tsx'
import { api } from '../../../lib/api-client.ts'
import { formatDate, formatUsd } from '../../../lib/format.ts'
import { useMe } from '../../../lib/me-query.ts'
import { useBudget, useUsageReport } from '../api/get-usage.ts'
import { CostByDay, UsageTable } from './usage-sections.tsx'
import './usage.css'
import { PageHeader } from '../../../components/ui/page-header.tsx'

const periodNames = { daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly' } as const

function SpendSummary({ budget }: { budget: Budget }) {
  const labelId = useId()
  const spent = Number(budget.spentUsd)
  const limit = budget.limitUsd === null ? null : Number(budget.limitUsd)
  return (
    <section className="usage-card" aria-labelledby={labelId}>
      <h2 id={labelId} className="usage-card__title">
        Spend this period
      </h2>
      <p className="usage-spend">
        <span className="usage-spend__amount" data-testid="usage-spent">
          {formatUsd(budget.spentUsd)}
        </span>
        <span className="usage-spend__limit">
          {budget.limitUsd === null ? 'No spending limit' : `of ${formatUsd(budget.limitUsd)}`}
        </span>
      </p>
      {limit !== null && budget.limitUsd !== null && (
        <progress
          className="usage-progress"
          max={limit > 0 ? limit : 1}
          value={limit > 0 ? Math.min(spent, limit) : 1}
          aria-label={`Budget used: ${formatUsd(budget.spentUsd)} of ${formatUsd(budget.limitUsd)}`}
        />
      )}
      <p className="usage-card__hint">
        {Number(budget.reservedUsd) > 0 &&
          `${formatUsd(budget.reservedUsd)} held for replies in progress. `}
        {periodNames[budget.period]} period, resets on{' '}
        <time dateTime={budget.periodEnd}>{formatDate(budget.periodEnd)}</time>.
      </p>
    </section>
  )
}

/** The caller's spend against their budget, cost per day, and usage by model and conversation. */
export function UsagePage({ menuButton }: { menuButton?: ReactNode }) {
  const me = useMe()
  const budget = useBudget()
  const byDay = useUsageReport('day')
  const byModel = useUsageReport('model')
  const byConversation = useUsageReport('conversation')

  return (
    <div className="usage">
      <PageHeader menuButton={menuButton} title="Usage">
        {me.data?.role === 'admin' && (
          <Link href="/admin/usage" className="button button--ghost">
            Team usage
          </Link>
        )}
        <DownloadCsv download={() => api.usage.csv({ groupBy: 'day' })} />
      </PageHeader>
      <div className="usage__body">
        <QueriesState queries={[budget, byDay, byModel, byConversation]} label="Loading usage">
          {budget.data && byDay.data && byModel.data && byConversation.data ? (
            <div className="usage__grid">
              <SpendSummary budget={budget.data} />
              <CostByDay report={byDay.data} />
              <UsageTable
                title="By model"
                keyHeader="Model"
                report={byModel.data}
                renderKey={(row) => row.key}
                columns="errors-and-timings"
              />
              <UsageTable
                title="By conversation"
                keyHeader="Conversation"
                report={byConversation.data}
                renderKey={(row) => (
                  <Link href={`/c/${row.key}`}>{row.label || 'Untitled chat'}</Link>
                )}
                columns="errors"
              />
            </div>
          ) : null}
        </QueriesState>
      </div>
    </div>
  )
}
