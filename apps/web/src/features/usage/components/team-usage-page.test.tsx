import type { UsageReport, UsageRow } from '@parley/schema/contracts'
import { screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { renderWithQueries } from '../../../testing/render-with-queries.tsx'
import { TeamUsagePage } from './team-usage-page.tsx'

// jsdom has no canvas: the chart is stood in for by its accessible name.
vi.mock('./cost-chart.tsx', () => ({
  CostChart: ({ label }: { label: string }) => <div role="img" aria-label={label} />,
}))

const row = (key: string, fields: Partial<UsageRow> = {}): UsageRow => ({
  key,
  label: null,
  requests: 10,
  inputTokens: 1000,
  outputTokens: 200,
  cachedTokens: 0,
  costUsd: '0.5',
  errors: 0,
  avgTtftMs: 300,
  avgLatencyMs: 900,
  ttftP50Ms: 250,
  ttftP95Ms: 700,
  ...fields,
})

const report = (groupBy: UsageReport['groupBy'], items: UsageRow[]): UsageReport => ({
  from: '2026-12-01',
  to: '2026-12-31',
  groupBy,
  items,
  total: row('total', {
    requests: items.reduce((sum, item) => sum + item.requests, 0),
    errors: items.reduce((sum, item) => sum + item.errors, 0),
    costUsd: String(items.reduce((sum, item) => sum + Number(item.costUsd), 0)),
  }),
})

const reports: Record<string, UsageReport> = {
  day: report('day', [row('2026-12-03', { costUsd: '1.25' }), row('2026-12-04', { errors: 1 })]),
  user: report(
    'user',
    Array.from({ length: 12 }, (_, i) =>
      row(`${String(i).padStart(8, '0')}-aaaa-4aaa-8aaa-aaaaaaaaaaaa`, {
        costUsd: String(12 - i),
      }),
    ),
  ),
  model: report('model', [row('gpt-6.1-terra', { requests: 40, errors: 1, ttftP95Ms: 1200 })]),
}

function serve(status = 200) {
  const fetch = vi.fn(async (input: RequestInfo | URL) => {
    const url = new URL(String(input))
    if (url.pathname !== '/api/v1/admin/usage') return new Response(null, { status: 404 })
    if (status !== 200) {
      return Response.json(
        { error: { code: 'forbidden', message: 'this needs the admin role', requestId: 'r' } },
        { status },
      )
    }
    return Response.json(reports[url.searchParams.get('groupBy') ?? 'day'])
  })
  vi.stubGlobal('fetch', fetch)
  return fetch
}

function renderPage() {
  renderWithQueries(<TeamUsagePage />)
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('TeamUsagePage', () => {
  it('shows team spend, cost by day, the top ten users and each model’s health', async () => {
    const fetch = serve()
    renderPage()
    expect(await screen.findByTestId('team-spent')).toHaveTextContent('$1.75')
    expect(await screen.findByRole('img', { name: /^Cost by day from 2026-12-01/ })).toBeVisible()
    const users = screen.getByRole('region', { name: 'Top users' })
    // The header row and the ten costliest.
    expect(within(users).getAllByRole('row')).toHaveLength(11)
    expect(within(users).getAllByRole('rowheader')[0]).toHaveTextContent('00000000')
    const models = screen.getByRole('region', { name: 'By model' })
    const model = within(models).getByRole('row', { name: /gpt-6\.1-terra/ })
    expect(model).toHaveTextContent('2.5%')
    expect(model).toHaveTextContent('250 ms / 1,200 ms')
    const asked = fetch.mock.calls.map(([input]) =>
      new URL(String(input)).searchParams.get('groupBy'),
    )
    expect(asked.sort()).toEqual(['day', 'model', 'user'])
  })

  it('says so when the caller is not an admin', async () => {
    serve(403)
    renderPage()
    expect(await screen.findByRole('alert')).toBeVisible()
    expect(screen.getByRole('button', { name: 'Try again' })).toBeVisible()
  })
})
