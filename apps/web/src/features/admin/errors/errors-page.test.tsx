import type { ErrorEntry, ErrorGroups } from '@parley/schema/contracts'
import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { renderWithQueries } from '../../../testing/render-with-queries.tsx'
import { ErrorsPage } from './errors-page.tsx'

const failure: ErrorEntry = {
  id: '33333333-cccc-4ccc-8ccc-cccccccccccc',
  requestId: 'req-failure',
  source: 'provider',
  severity: 'error',
  method: null,
  route: null,
  status: 500,
  code: 'provider_error',
  message: 'gpt-6.1-terra failed after 3 attempts (HTTP 500): provider_error; the reply failed',
  provider: 'openai',
  model: 'gpt-6.1-terra',
  userId: '11111111-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
  createdAt: '2026-12-05T10:00:00.000Z',
  resolvedAt: null,
  resolvedBy: null,
  resolutionNote: null,
}

const groups: Record<string, ErrorGroups> = {
  route: {
    groupBy: 'route',
    items: [
      { key: '/api/v1/usage', count: 4, unresolved: 3, lastSeenAt: '2026-12-05T09:00:00.000Z' },
      { key: null, count: 1, unresolved: 1, lastSeenAt: '2026-12-05T10:00:00.000Z' },
    ],
  },
  code: {
    groupBy: 'code',
    items: [
      { key: 'provider_error', count: 1, unresolved: 1, lastSeenAt: '2026-12-05T10:00:00.000Z' },
    ],
  },
}

function serve(status = 200) {
  let stored = failure
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input))
    if (status !== 200) {
      return Response.json(
        { error: { code: 'forbidden', message: 'this needs the admin role', requestId: 'r' } },
        { status },
      )
    }
    if (url.pathname === `/api/v1/admin/errors/${failure.id}` && init?.method === 'PATCH') {
      const body = JSON.parse(String(init.body)) as { resolved: boolean; note?: string }
      stored = body.resolved
        ? {
            ...failure,
            resolvedAt: '2026-12-05T11:00:00.000Z',
            resolvedBy: failure.userId,
            resolutionNote: body.note ?? null,
          }
        : failure
      return Response.json(stored)
    }
    if (url.pathname !== '/api/v1/admin/errors') return new Response(null, { status: 404 })
    const groupBy = url.searchParams.get('groupBy')
    if (groupBy) return Response.json(groups[groupBy])
    const resolved = url.searchParams.get('resolved')
    const shown = resolved === null || resolved === String(stored.resolvedAt !== null)
    return Response.json({ items: shown ? [stored] : [], nextCursor: null })
  })
  vi.stubGlobal('fetch', fetch)
  return fetch
}

function renderPage() {
  renderWithQueries(<ErrorsPage />)
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('ErrorsPage', () => {
  it('counts open errors per route and per code, and lists them', async () => {
    const fetch = serve()
    renderPage()
    const byRoute = await screen.findByRole('region', { name: 'By route' })
    const usage = await within(byRoute).findByRole('row', { name: /\/api\/v1\/usage/ })
    const [count, open] = within(usage).getAllByRole('cell')
    expect(count).toHaveTextContent('4')
    expect(open).toHaveTextContent('3')
    expect(within(byRoute).getByRole('rowheader', { name: 'model call' })).toBeVisible()
    const byCode = screen.getByRole('region', { name: 'By code' })
    expect(await within(byCode).findByRole('rowheader', { name: 'provider_error' })).toBeVisible()
    const list = screen.getByRole('region', { name: 'Error log' })
    const row = await within(list).findByRole('row', { name: /req-failure/ })
    expect(row).toHaveTextContent('gpt-6.1-terra failed after 3 attempts')
    expect(row).toHaveTextContent('Open')
    const params = fetch.mock.calls.map(([input]) => new URL(String(input)).searchParams)
    expect(params.every((p) => p.get('resolved') === 'false')).toBe(true)
  })

  it('resolves an error with a note, and shows it among the resolved ones', async () => {
    const fetch = serve()
    renderPage()
    const list = await screen.findByRole('region', { name: 'Error log' })
    await userEvent.click(await within(list).findByRole('button', { name: 'Resolve' }))
    await userEvent.type(within(list).getByLabelText('Resolution note'), 'Proxy restarted')
    await userEvent.click(within(list).getByRole('button', { name: 'Mark resolved' }))
    expect(await within(list).findByText('No errors.')).toBeVisible()
    const patch = fetch.mock.calls.find(([, init]) => init?.method === 'PATCH')
    expect(JSON.parse(String(patch?.[1]?.body))).toEqual({
      resolved: true,
      note: 'Proxy restarted',
    })

    await userEvent.selectOptions(screen.getByLabelText('Show'), 'Resolved')
    const row = await within(list).findByRole('row', { name: /req-failure/ })
    expect(row).toHaveTextContent('Proxy restarted')
    expect(within(row).getByRole('button', { name: 'Reopen' })).toBeVisible()
  })

  it('says so when the caller is not an admin', async () => {
    serve(403)
    renderPage()
    expect((await screen.findAllByRole('alert')).length).toBeGreaterThan(0)
  })
})
