import type { RecentFeedbackItem } from '@parley/schema/contracts'
import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { renderWithQueries } from '../../../testing/render-with-queries.tsx'
import { FeedbackPage } from './feedback-page.tsx'

const userId = '11111111-2222-4333-8444-555555555555'
const vote = (n: number, fields: Partial<RecentFeedbackItem> = {}): RecentFeedbackItem => ({
  messageId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  userId,
  model: 'gpt-6.1-terra',
  vote: 'up',
  reasons: [],
  comment: null,
  updatedAt: '2026-12-04T10:00:00.000Z',
  ...fields,
})

function serve() {
  const fetch = vi.fn(async (input: RequestInfo | URL) => {
    const url = new URL(String(input))
    if (url.pathname === '/api/v1/admin/feedback') {
      return Response.json({
        items: [
          { model: 'gpt-6.1-terra', up: 3, down: 1 },
          { model: 'claude-sonnet-5-5', up: 9, down: 1 },
        ],
      })
    }
    if (url.pathname === '/api/v1/admin/feedback/recent') {
      if (url.searchParams.get('vote') === 'down') {
        return Response.json({
          items: [vote(9, { vote: 'down', comment: 'Only bad' })],
          nextCursor: null,
        })
      }
      if (url.searchParams.get('cursor') === 'page-2') {
        return Response.json({ items: [vote(2, { comment: 'Older one' })], nextCursor: null })
      }
      return Response.json({
        items: [vote(1, { vote: 'down', reasons: ['too_long', 'off_topic'], comment: 'Rambles' })],
        nextCursor: 'page-2',
      })
    }
    return new Response(null, { status: 404 })
  })
  vi.stubGlobal('fetch', fetch)
  return fetch
}

function renderPage() {
  renderWithQueries(<FeedbackPage />)
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('FeedbackPage', () => {
  it('shows satisfaction per model, busiest first', async () => {
    serve()
    renderPage()
    const table = await screen.findByRole('region', { name: 'Satisfaction by model' })
    const rows = await within(table).findAllByRole('row')
    expect(rows[1]).toHaveTextContent('claude-sonnet-5-5')
    expect(rows[1]).toHaveTextContent('90%')
    expect(rows[2]).toHaveTextContent('75%')
  })

  it('lists the newest votes with their reasons in words, and loads more on request', async () => {
    serve()
    renderPage()
    const recent = await screen.findByRole('region', { name: 'Newest votes' })
    const first = await within(recent).findByRole('row', { name: /Rambles/ })
    expect(first).toHaveTextContent('Too long, Off topic')
    expect(first).toHaveTextContent('Bad')
    await userEvent.click(within(recent).getByRole('button', { name: 'Show more' }))
    expect(await within(recent).findByRole('row', { name: /Older one/ })).toBeVisible()
    expect(within(recent).queryByRole('button', { name: 'Show more' })).toBeNull()
  })

  it('asks the server for only the bad votes when filtered', async () => {
    const fetch = serve()
    renderPage()
    const recent = await screen.findByRole('region', { name: 'Newest votes' })
    await within(recent).findByRole('row', { name: /Rambles/ })
    await userEvent.selectOptions(within(recent).getByLabelText('Show'), 'down')
    expect(await within(recent).findByRole('row', { name: /Only bad/ })).toBeVisible()
    const asked = fetch.mock.calls.map(([input]) => new URL(String(input)).searchParams.get('vote'))
    expect(asked).toContain('down')
  })
})
