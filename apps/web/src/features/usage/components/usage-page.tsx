import type { Budget, UsageReport } from '@parley/schema/contracts'
import { lazy, type ReactNode, Suspense, useId, useMemo, useState } from 'react'
import { Link } from 'wouter'
import { Spinner } from '../../../components/ui/spinner.tsx'
import { describeError } from '../../../lib/api-error.ts'
import { toast } from '../../../lib/toast-store.ts'
import { downloadUsageCsv, useBudget, useUsageReport } from '../api/get-usage.ts'
import { daysBetween, formatCount, formatDate, formatMs, formatUsd } from './usage-format.ts'
import './usage.css'

// The chart library is only ever loaded by this page.
const CostChart = lazy(() => import('./cost-chart.tsx').then((m) => ({ default: m.CostChart })))

function SpendSummary({ budget }: { budget: Budget }) {
  const labelId = useId()
  const spent = Number(budget.spentUsd)
  const limit = budget.limitUsd === null ? null : Number(budget.limitUsd)
  const resets = formatDate(budget.periodEnd)
  return (
    <section className="usage-card" aria-labelledby={labelId}>
      <h2 id={labelId} className="usage-card__title">
        Spend this period
      </h2>
      <p className="usage-spend">
        <span className="usage-spend__amount" data-testid="usage-spent">
          {formatUsd(budget.spentUsd)}
        </span>
        {limit === null ? (
          <span className="usage-spend__limit">No spending limit</span>
        ) : (
          <span className="usage-spend__limit">of {formatUsd(budget.limitUsd ?? '0')}</span>
        )}
      </p>
      {limit !== null && (
        <progress
          className="usage-progress"
          max={limit > 0 ? limit : 1}
          value={Math.min(spent, limit > 0 ? limit : 1)}
          aria-label={`Budget used: ${formatUsd(budget.spentUsd)} of ${formatUsd(budget.limitUsd ?? '0')}`}
        />
      )}
      <p className="usage-card__hint">
        {Number(budget.reservedUsd) > 0 && (
          <>{formatUsd(budget.reservedUsd)} held for replies in progress. </>
        )}
        {budget.period === 'daily' ? 'Daily' : budget.period === 'weekly' ? 'Weekly' : 'Monthly'}{' '}
        period, resets on <time dateTime={budget.periodEnd}>{resets}</time>.
      </p>
    </section>
  )
}

function CostByDay({ report }: { report: UsageReport }) {
  const points = useMemo(() => {
    const byDay = new Map(report.items.map((row) => [row.key, Number(row.costUsd)]))
    return daysBetween(report.from, report.to).map((day) => ({ day, usd: byDay.get(day) ?? 0 }))
  }, [report])
  return (
    <section className="usage-card" aria-label="Cost by day">
      <h2 className="usage-card__title">Cost by day</h2>
      <Suspense fallback={<Spinner label="Loading the chart" />}>
        <CostChart
          points={points}
          label={`Cost by day from ${report.from} to ${report.to}: ${formatUsd(report.total.costUsd)} in all`}
        />
      </Suspense>
    </section>
  )
}

function UsageTable({
  title,
  report,
  keyHeader,
  renderKey,
  timings,
}: {
  title: string
  report: UsageReport
  keyHeader: string
  renderKey: (row: UsageReport['items'][number]) => ReactNode
  timings: boolean
}) {
  return (
    <section className="usage-card" aria-label={title}>
      <h2 className="usage-card__title">{title}</h2>
      {report.items.length === 0 ? (
        <p className="usage-card__hint">No usage in this period yet.</p>
      ) : (
        <div className="usage-table__scroll">
          <table className="usage-table">
            <thead>
              <tr>
                <th scope="col">{keyHeader}</th>
                <th scope="col">Requests</th>
                <th scope="col">Tokens in</th>
                <th scope="col">Tokens out</th>
                <th scope="col">Cost</th>
                <th scope="col">Errors</th>
                {timings && (
                  <>
                    <th scope="col">Avg first token</th>
                    <th scope="col">p50 / p95</th>
                  </>
                )}
              </tr>
            </thead>
            <tbody>
              {report.items.map((row) => (
                <tr key={row.key}>
                  <th scope="row">{renderKey(row)}</th>
                  <td>{formatCount(row.requests)}</td>
                  <td>{formatCount(row.inputTokens)}</td>
                  <td>{formatCount(row.outputTokens)}</td>
                  <td>{formatUsd(row.costUsd)}</td>
                  <td>{formatCount(row.errors)}</td>
                  {timings && (
                    <>
                      <td>{formatMs(row.avgTtftMs)}</td>
                      <td>
                        {formatMs(row.ttftP50Ms)} / {formatMs(row.ttftP95Ms)}
                      </td>
                    </>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

function DownloadCsv() {
  const [busy, setBusy] = useState(false)
  const download = async () => {
    setBusy(true)
    try {
      await downloadUsageCsv('day')
    } catch (error) {
      toast(`The CSV could not be downloaded. ${describeError(error)}`)
    } finally {
      setBusy(false)
    }
  }
  return (
    <button type="button" className="button" onClick={() => void download()} disabled={busy}>
      {busy ? 'Preparing…' : 'Download CSV'}
    </button>
  )
}

/** The caller's spend against their budget, cost per day, and usage by model and conversation. */
export function UsagePage({ menuButton }: { menuButton?: ReactNode }) {
  const budget = useBudget()
  const byDay = useUsageReport('day')
  const byModel = useUsageReport('model')
  const byConversation = useUsageReport('conversation')
  const queries = [budget, byDay, byModel, byConversation]
  const failed = queries.find((query) => query.isError)

  return (
    <div className="usage">
      <header className="page-header">
        {menuButton}
        <h1 className="page-header__title">Usage</h1>
        <div className="page-header__tools">
          <DownloadCsv />
        </div>
      </header>
      <div className="usage__body">
        {failed ? (
          <div className="empty-state" role="alert">
            <p>{describeError(failed.error)}</p>
            <button
              type="button"
              className="button"
              onClick={() => {
                for (const query of queries) void query.refetch()
              }}
            >
              Try again
            </button>
          </div>
        ) : budget.data && byDay.data && byModel.data && byConversation.data ? (
          <div className="usage__grid">
            <SpendSummary budget={budget.data} />
            <CostByDay report={byDay.data} />
            <UsageTable
              title="By model"
              keyHeader="Model"
              report={byModel.data}
              renderKey={(row) => row.key}
              timings
            />
            <UsageTable
              title="By conversation"
              keyHeader="Conversation"
              report={byConversation.data}
              renderKey={(row) => (
                <Link href={`/c/${row.key}`}>{row.label || 'Untitled chat'}</Link>
              )}
              timings={false}
            />
          </div>
        ) : (
          <Spinner label="Loading usage" />
        )}
      </div>
    </div>
  )
}
