import type { ReactNode } from 'react'
import { Link } from 'wouter'
import { DownloadCsv } from '../../../components/ui/download-csv.tsx'
import { QueriesState } from '../../../components/ui/queries-state.tsx'
import { api } from '../../../lib/api-client.ts'
import { formatCount, formatPercent, formatUsd } from '../../../lib/format.ts'
import { useTeamUsageReport } from '../api/get-usage.ts'
import { CostByDay, UsageTable } from './usage-sections.tsx'
import './usage.css'
import { PageHeader } from '../../../components/ui/page-header.tsx'

const topUsers = 10

/** Everyone's usage this period (admins): spend by day, the top spenders, models' health. */
export function TeamUsagePage({ menuButton }: { menuButton?: ReactNode }) {
  const byDay = useTeamUsageReport('day')
  const byUser = useTeamUsageReport('user')
  const byModel = useTeamUsageReport('model')

  return (
    <div className="usage">
      <PageHeader menuButton={menuButton} title="Team usage">
        <Link href="/usage" className="button button--ghost">
          My usage
        </Link>
        <DownloadCsv download={() => api.usage.teamCsv({ groupBy: 'user' })} />
      </PageHeader>
      <div className="usage__body">
        <QueriesState queries={[byDay, byUser, byModel]} label="Loading team usage">
          {byDay.data && byUser.data && byModel.data ? (
            <div className="usage__grid">
              <section className="usage-card" aria-label="Team spend this period">
                <h2 className="usage-card__title">Team spend this period</h2>
                <p className="usage-spend">
                  <span className="usage-spend__amount" data-testid="team-spent">
                    {formatUsd(byDay.data.total.costUsd)}
                  </span>
                  <span className="usage-spend__limit">
                    {formatCount(byDay.data.total.requests)} requests,{' '}
                    {formatPercent(byDay.data.total.errors, byDay.data.total.requests)} failed
                  </span>
                </p>
              </section>
              <CostByDay report={byDay.data} />
              <UsageTable
                title="Top users"
                keyHeader="User"
                report={byUser.data}
                renderKey={(row) => <code title={row.key}>{row.key.slice(0, 8)}</code>}
                columns="errors"
                limit={topUsers}
              />
              <UsageTable
                title="By model"
                keyHeader="Model"
                report={byModel.data}
                renderKey={(row) => row.key}
                columns="error-rate-and-timings"
              />
            </div>
          ) : null}
        </QueriesState>
      </div>
    </div>
  )
}
