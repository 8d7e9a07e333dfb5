import type { ActivityEntry, ActivityPage as ActivityPageBody } from '@parley/schema/contracts'
import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { renderWithQueries } from '../../../testing/render-with-queries.tsx'
import { ActivityPage } from './activity-page.tsx'

const someone = '11111111-aaaa-4aaa-8aaa-aaaaaaaaaaaa'
const entry = (id: string, fields: Partial<ActivityEntry> = {}): ActivityEntry => ({
  id: `${id}0000000-0000-4000-8000-000000000000`.slice(0, 36),
  userId: someone,
  type: 'conversation_created',
  targetId: '22222222-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
  metadata: {},
  requestId: `req-${id}`,
  ip: '127.0.0.1',
  createdAt: '2026-12-05T10:00:00.000Z',
  ...fields,
})

function serve(pages: Record<string, ActivityPageBody>, status = 200) {
  const fetch = vi.fn(async (input: RequestInfo | URL) => {
    const url = new URL(String(input))
    if (url.pathname !== '/api/v1/admin/activity') return new Response(null, { status: 404 })
    if (status !== 200) {
      return Response.json(
        { error: { code: 'forbidden', message: 'this needs the admin role', requestId: 'r' } },
        { status },
      )
    }
    if (url.searchParams.get('format') === 'csv') {
      return new Response('created_at,user_id\r\n', {
        headers: { 'content-disposition': 'attachment; filename="activity-2026-12-05.csv"' },
      })
    }
    return Response.json(
      pages[url.searchParams.get('cursor') ?? ''] ?? { items: [], nextCursor: null },
    )
  })
  vi.stubGlobal('fetch', fetch)
  return fetch
}

function renderPage() {
  renderWithQueries(<ActivityPage />)
}

const asked = (fetch: ReturnType<typeof serve>) =>
  fetch.mock.calls.map(([input]) => new URL(String(input)).searchParams)

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('ActivityPage', () => {
  it('lists everyone’s activity and pages to older entries', async () => {
    serve({
      '': {
        items: [entry('a', { type: 'sign_in', metadata: { method: 'password' }, targetId: null })],
        nextCursor: 'next',
      },
      next: { items: [entry('b', { type: 'share_created' })], nextCursor: null },
    })
    renderPage()
    const log = await screen.findByRole('region', { name: 'Activity log' })
    expect(await within(log).findByRole('rowheader', { name: 'sign in' })).toBeVisible()
    expect(within(log).getByText('method: password')).toBeVisible()
    await userEvent.click(screen.getByRole('button', { name: 'Show older' }))
    expect(await within(log).findByRole('rowheader', { name: 'share created' })).toBeVisible()
    expect(screen.queryByRole('button', { name: 'Show older' })).toBeNull()
  })

  it('filters by user, type and days', async () => {
    const fetch = serve({ '': { items: [entry('a')], nextCursor: null } })
    renderPage()
    await screen.findByRole('rowheader', { name: 'conversation created' })
    await userEvent.type(screen.getByLabelText('User ID'), someone)
    await userEvent.selectOptions(screen.getByLabelText('Type'), 'feedback_given')
    await userEvent.type(screen.getByLabelText('From'), '2026-12-01')
    await userEvent.type(screen.getByLabelText('To'), '2026-12-05')
    await vi.waitFor(() => {
      const last = asked(fetch).at(-1)
      expect(last?.get('userId')).toBe(someone)
      expect(last?.get('type')).toBe('feedback_given')
      expect(last?.get('from')).toBe('2026-12-01')
      expect(last?.get('to')).toBe('2026-12-05')
    })
    // A half-typed user id is not sent.
    expect(asked(fetch).every((params) => [null, someone].includes(params.get('userId')))).toBe(
      true,
    )
  })

  it('downloads the filtered activity as CSV', async () => {
    const fetch = serve({ '': { items: [entry('a')], nextCursor: null } })
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    URL.createObjectURL = vi.fn(() => 'blob:csv')
    URL.revokeObjectURL = vi.fn()
    renderPage()
    await screen.findByRole('rowheader', { name: 'conversation created' })
    await userEvent.selectOptions(screen.getByLabelText('Type'), 'sign_out')
    await userEvent.click(screen.getByRole('button', { name: 'Download CSV' }))
    await vi.waitFor(() => expect(click).toHaveBeenCalled())
    const csv = asked(fetch).find((params) => params.get('format') === 'csv')
    expect(csv?.get('type')).toBe('sign_out')
    click.mockRestore()
  })

  it('says so when the caller is not an admin', async () => {
    serve({}, 403)
    renderPage()
    expect(await screen.findByRole('alert')).toBeVisible()
    expect(screen.getByRole('button', { name: 'Try again' })).toBeVisible()
  })
})
