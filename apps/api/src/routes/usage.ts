import {
  getBudgetState,
  histogramPercentile,
  sumUsageGroups,
  type UsageGroup,
  type UsageGrouping,
  usageRollup,
} from '@parley/db'
import { formatUsd } from '@parley/llm'
import {
  adminUsageQuery,
  maxUsageRangeDays,
  type UsageReport,
  type UsageRow,
  usageQuery,
  usageReport,
} from '@parley/schema/contracts'
import { type Context, Hono } from 'hono'
import { toCsv } from '../csv.ts'
import type { AppEnv } from '../env.ts'
import { AppError } from '../errors.ts'
import { requireAdmin } from '../middleware/require-admin.ts'
import { validate } from '../middleware/validate.ts'
import { docs } from './docs.ts'

const dayMs = 86_400_000

interface ReportQuery {
  from?: string | undefined
  to?: string | undefined
  groupBy: UsageGrouping
  format: 'json' | 'csv'
}

/**
 * The days a report covers: as asked, else the caller's current budget period (the end is the
 * period's last day). At most `maxUsageRangeDays`, and `from` not after `to`.
 */
async function reportRange(c: Context<AppEnv>, query: ReportQuery) {
  let { from, to } = query
  if (from === undefined || to === undefined) {
    const { deps, claims } = c.var
    const state = await deps.db.withUser(claims, (tx) =>
      getBudgetState(tx, claims.sub, deps.budget),
    )
    from ??= state.periodStart.toISOString().slice(0, 10)
    to ??= new Date(state.periodEnd.getTime() - 1).toISOString().slice(0, 10)
  }
  const days = (Date.parse(to) - Date.parse(from)) / dayMs + 1
  if (days < 1) throw new AppError('validation_error', `from (${from}) is after to (${to})`)
  if (days > maxUsageRangeDays) {
    throw new AppError(
      'validation_error',
      `the range covers ${days} days; at most ${maxUsageRangeDays} are allowed`,
    )
  }
  return { from, to }
}

const average = (sum: number, count: number) => (count > 0 ? Math.round(sum / count) : null)

function toRow(group: UsageGroup): UsageRow {
  const histogram = group.ttftHistogram
  return {
    key: group.key,
    label: group.label,
    requests: group.requests,
    inputTokens: group.inputTokens,
    outputTokens: group.outputTokens,
    cachedTokens: group.cachedInputTokens,
    costUsd: formatUsd(group.costMicroUsd),
    errors: group.errors,
    avgTtftMs: average(group.ttftSumMs, group.ttftCount),
    avgLatencyMs: average(group.latencySumMs, group.latencyCount),
    ttftP50Ms: histogram ? histogramPercentile(histogram, 0.5) : null,
    ttftP95Ms: histogram ? histogramPercentile(histogram, 0.95) : null,
  }
}

const csvHeader = [
  'key',
  'label',
  'requests',
  'input_tokens',
  'output_tokens',
  'cached_tokens',
  'cost_usd',
  'errors',
  'avg_ttft_ms',
  'avg_latency_ms',
  'ttft_p50_ms',
  'ttft_p95_ms',
]

const csvLine = (row: UsageRow) => [
  row.key,
  row.label,
  row.requests,
  row.inputTokens,
  row.outputTokens,
  row.cachedTokens,
  row.costUsd,
  row.errors,
  row.avgTtftMs,
  row.avgLatencyMs,
  row.ttftP50Ms,
  row.ttftP95Ms,
]

/** A report from the rollups, as JSON or as a CSV download. */
async function report(c: Context<AppEnv>, query: ReportQuery, scope: 'own' | 'visible') {
  const { from, to } = await reportRange(c, query)
  const groups = await c.var.deps.db.withUser(c.var.claims, (tx) =>
    usageRollup(tx, { from, to, groupBy: query.groupBy, scope }),
  )
  const body: UsageReport = {
    from,
    to,
    groupBy: query.groupBy,
    items: groups.map(toRow),
    total: toRow(sumUsageGroups('total', groups)),
  }
  if (query.format === 'csv') {
    const name = `${scope === 'own' ? 'usage' : 'team-usage'}-${query.groupBy}-${from}-${to}.csv`
    return c.body(toCsv(csvHeader, body.items.map(csvLine)), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
    })
  }
  return c.json(body)
}

/** `GET /usage`: the caller's own usage, from the daily rollups. */
export const usageReports = new Hono<AppEnv>().get(
  '/',
  docs('usage', 'The caller’s usage per day, model or conversation (`format=csv` for a file)', {
    200: { description: 'OK (or `text/csv` with `format=csv`)', schema: usageReport },
  }),
  validate('query', usageQuery),
  (c) => report(c, c.req.valid('query'), 'own'),
)

/** `GET /admin/usage`: everyone's usage (admins; RLS through is_admin() backs the check). */
export const adminUsage = new Hono<AppEnv>().get(
  '/',
  requireAdmin,
  docs('admin', 'Team usage per day, model or user (admins; `format=csv` for a file)', {
    200: { description: 'OK (or `text/csv` with `format=csv`)', schema: usageReport },
  }),
  validate('query', adminUsageQuery),
  (c) => report(c, c.req.valid('query'), 'visible'),
)
