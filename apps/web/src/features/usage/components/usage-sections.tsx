import type { UsageReport, UsageRow } from '@parley/schema/contracts'
import { lazy, type ReactNode, Suspense, useMemo } from 'react'
import { Spinner } from '../../../components/ui/spinner.tsx'
import {
  daysBetween,
  formatCount,
  formatMs,
  formatPercent,
  formatUsd,
} from '../../../lib/format.ts'

// The chart library is only ever loaded by the usage pages.
const CostChart = lazy(() => import('./cost-chart.tsx').then((m) => ({ default: m.CostChart })))

/** A report by day as a bar chart of cost, with a bar (maybe empty) for every day. */
export function CostByDay({ report }: { report: UsageReport }) {
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

/** Which measures a table shows beyond requests, tokens and cost. */
export type UsageColumns = 'errors' | 'errors-and-timings' | 'error-rate-and-timings'

export function UsageTable({
  title,
  report,
  keyHeader,
  renderKey,
  columns,
  limit,
}: {
  title: string
  report: UsageReport
  keyHeader: string
  renderKey: (row: UsageRow) => ReactNode
  columns: UsageColumns
  /** Only the first rows (the costliest first). */
  limit?: number
}) {
  const rows = limit === undefined ? report.items : report.items.slice(0, limit)
  const timings = columns !== 'errors'
  const errorRate = columns === 'error-rate-and-timings'
  return (
    <section className="usage-card" aria-label={title}>
      <h2 className="usage-card__title">{title}</h2>
      {rows.length === 0 ? (
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
                <th scope="col">{errorRate ? 'Error rate' : 'Errors'}</th>
                {timings && (
                  <>
                    <th scope="col">Avg first token</th>
                    <th scope="col">First token p50 / p95</th>
                  </>
                )}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.key}>
                  <th scope="row">{renderKey(row)}</th>
                  <td>{formatCount(row.requests)}</td>
                  <td>{formatCount(row.inputTokens)}</td>
                  <td>{formatCount(row.outputTokens)}</td>
                  <td>{formatUsd(row.costUsd)}</td>
                  <td>
                    {errorRate ? formatPercent(row.errors, row.requests) : formatCount(row.errors)}
                  </td>
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
