import type { Budget, UsageReport } from '@parley/schema/contracts'
import { screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { renderWithQueries } from '../../../testing/render-with-queries.tsx'
import { UsagePage } from './usage-page.tsx'

vi.mock('./cost-chart.tsx', () => ({
  CostChart: ({ label }: { label: string }) => <div role="img" aria-label={label} />,
}))

const empty = (groupBy: UsageReport['groupBy']): UsageReport => ({
  from: '2026-12-01',
  to: '2026-12-31',
  groupBy,
  items: [],
  total: {
    key: 'total',
    label: null,
    requests: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    costUsd: '0',
    errors: 0,
    avgTtftMs: null,
    avgLatencyMs: null,
    ttftP50Ms: null,
    ttftP95Ms: null,
  },
})

function serve(budget: Budget) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const url = new URL(String(input))
      if (url.pathname === '/api/v1/usage/budget') return Response.json(budget)
      if (url.pathname === '/api/v1/usage') {
        return Response.json(empty(url.searchParams.get('groupBy') as UsageReport['groupBy']))
      }
      if (url.pathname === '/api/v1/me') return Response.json({ role: 'user', theme: 'system' })
      return new Response(null, { status: 404 })
    }),
  )
}

const budget: Budget = {
  limitUsd: '20',
  period: 'monthly',
  spentUsd: '5',
  reservedUsd: '0.25',
  remainingUsd: '14.75',
  periodStart: '2026-12-01T00:00:00.000Z',
  periodEnd: '2027-01-01T00:00:00.000Z',
}

function renderPage() {
  renderWithQueries(<UsagePage />)
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('UsagePage', () => {
  it('shows the spend against the limit as a labelled progress bar, and when it resets', async () => {
    serve(budget)
    renderPage()
    const bar = await screen.findByRole('progressbar', { name: 'Budget used: $5.00 of $20.00' })
    expect(bar).toHaveAttribute('value', '5')
    expect(bar).toHaveAttribute('max', '20')
    const summary = screen.getByRole('region', { name: 'Spend this period' })
    expect(within(summary).getByText(/resets on/)).toHaveTextContent(
      '$0.250 held for replies in progress. Monthly period, resets on 1 Jan 2027.',
    )
    expect(screen.getByRole('button', { name: 'Download CSV' })).toBeEnabled()
  })

  it('has no bar to fill when the budget is unlimited', async () => {
    serve({ ...budget, limitUsd: null, remainingUsd: null, reservedUsd: '0' })
    renderPage()
    expect(await screen.findByText('No spending limit')).toBeVisible()
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument()
  })
})
