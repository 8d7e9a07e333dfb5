import type { AuditEntry, AuditPage as AuditPageBody } from '@parley/schema/contracts'
import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { renderWithQueries } from '../../../testing/render-with-queries.tsx'
import { AuditPage } from './audit-page.tsx'

const entry = (id: string, fields: Partial<AuditEntry> = {}): AuditEntry => ({
  id,
  actorId: '11111111-1111-4111-8111-111111111111',
  actorEmail: 'admin@example.test',
  action: 'model.update',
  targetType: 'model',
  targetId: 'gpt-6.1-terra',
  before: { inputUsdPerMtok: 1.25 },
  after: { inputUsdPerMtok: 2 },
  createdAt: '2026-12-05T10:00:00.000Z',
  ...fields,
})

function serve(pages: Record<string, AuditPageBody>, status = 200) {
  const fetch = vi.fn(async (input: RequestInfo | URL) => {
    const url = new URL(String(input))
    if (status !== 200) {
      return Response.json(
        { error: { code: 'forbidden', message: 'this needs the admin role', requestId: 'r' } },
        { status },
      )
    }
    const key = `${url.searchParams.get('targetType') ?? ''}|${url.searchParams.get('cursor') ?? ''}`
    return Response.json(pages[key] ?? { items: [], nextCursor: null })
  })
  vi.stubGlobal('fetch', fetch)
  return fetch
}

function renderPage() {
  renderWithQueries(<AuditPage />)
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('AuditPage', () => {
  it('shows who changed what, when, from what to what, and older changes on demand', async () => {
    serve({
      '|': {
        items: [entry('00000000-0000-4000-8000-000000000001')],
        nextCursor: 'older',
      },
      '|older': {
        items: [
          entry('00000000-0000-4000-8000-000000000002', {
            action: 'budget.set',
            targetType: 'budget',
            targetId: 'someone',
            before: null,
            after: { limitUsd: '5', period: 'monthly' },
          }),
        ],
        nextCursor: null,
      },
    })
    renderPage()
    const first = await screen.findByRole('row', { name: /model\.update/ })
    expect(first).toHaveTextContent('admin@example.test')
    expect(first).toHaveTextContent('inputUsdPerMtok: 1.25 → 2')
    await userEvent.click(screen.getByRole('button', { name: 'Show older changes' }))
    const older = await screen.findByRole('row', { name: /budget\.set/ })
    expect(
      within(older)
        .getByText(/limitUsd/)
        .closest('li'),
    ).toHaveTextContent('limitUsd: none → 5')
    expect(screen.queryByRole('button', { name: 'Show older changes' })).toBeNull()
  })

  it('filters by the kind of target', async () => {
    const fetch = serve({
      'model|': { items: [entry('00000000-0000-4000-8000-000000000003')], nextCursor: null },
    })
    renderPage()
    await screen.findByText('No changes yet.')
    await userEvent.selectOptions(screen.getByLabelText('Show'), 'Models')
    expect(await screen.findByRole('row', { name: /model\.update/ })).toBeVisible()
    const asked = fetch.mock.calls.map(([input]) =>
      new URL(String(input)).searchParams.get('targetType'),
    )
    expect(asked).toContain('model')
  })

  it('says so when the caller is not an admin', async () => {
    serve({}, 403)
    renderPage()
    expect(await screen.findByRole('alert')).toBeVisible()
    expect(screen.getByRole('button', { name: 'Try again' })).toBeVisible()
  })
})
