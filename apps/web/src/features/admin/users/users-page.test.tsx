import type { AdminUser } from '@parley/schema/contracts'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { renderWithQueries } from '../../../testing/render-with-queries.tsx'
import { UsersPage } from './users-page.tsx'

const selfId = '00000000-0000-4000-8000-000000000001'

const account = (id: string, fields: Partial<AdminUser> = {}): AdminUser => ({
  id,
  email: `person-${id.slice(-2)}@example.test`,
  createdAt: '2026-11-02T10:00:00.000Z',
  lastSignInAt: '2026-12-04T09:00:00.000Z',
  role: 'user',
  status: 'active',
  spentUsd: '1.25',
  spendPeriod: 'monthly',
  ...fields,
})

const me = account(selfId, { email: 'boss@example.test', role: 'admin' })
const ada = account('00000000-0000-4000-8000-000000000002', { email: 'ada@example.test' })

interface Call {
  method: string
  url: URL
  body: unknown
}

/** The API as the page sees it; `patchAnswer` decides what a change gets back. */
function serve(patchAnswer: (body: Record<string, unknown>) => Response) {
  const calls: Call[] = []
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input))
    const method = init?.method ?? 'GET'
    const body = init?.body ? JSON.parse(String(init.body)) : undefined
    calls.push({ method, url, body })
    if (url.pathname === '/api/v1/me') return Response.json({ ...me, displayName: null })
    if (url.pathname === '/api/v1/admin/users' && method === 'GET') {
      const q = url.searchParams.get('q') ?? ''
      const items = [me, ada].filter((user) => user.email.includes(q))
      return Response.json({ items, nextCursor: null })
    }
    if (url.pathname === `/api/v1/admin/users/${ada.id}/recovery-link` && method === 'POST') {
      return Response.json(
        {
          link: 'http://parley.test/reset-password#token_hash=abc&type=recovery',
          expiresAt: '2026-12-05T20:00:00.000Z',
        },
        { status: 201 },
      )
    }
    if (url.pathname === `/api/v1/admin/users/${ada.id}` && method === 'PATCH') {
      return patchAnswer(body as Record<string, unknown>)
    }
    return new Response(null, { status: 404 })
  })
  vi.stubGlobal('fetch', fetch)
  return calls
}

function renderPage() {
  renderWithQueries(<UsersPage />)
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('UsersPage', () => {
  it('lists accounts with their dates, spend, role and status, and searches by email', async () => {
    const calls = serve(() => Response.json(ada))
    renderPage()
    const row = await screen.findByRole('row', { name: /ada@example\.test/ })
    for (const text of ['2 Nov 2026', '4 Dec 2026', '$1.25', 'User', 'Active']) {
      expect(row).toHaveTextContent(text)
    }
    const self = screen.getByRole('row', { name: /boss@example\.test/ })
    expect(self).toHaveTextContent('(you)')
    expect(self).toHaveTextContent('Admin')

    await userEvent.type(screen.getByRole('searchbox', { name: 'Search by email' }), 'ada{Enter}')
    await waitFor(() => expect(screen.queryByText('boss@example.test')).toBeNull())
    expect(calls.some((call) => call.url.searchParams.get('q') === 'ada')).toBe(true)
  })

  it('makes a user admin and says the role arrives at their next refresh', async () => {
    const calls = serve(() => Response.json({ ...ada, role: 'admin' }))
    renderPage()
    await userEvent.click(
      await screen.findByRole('button', { name: 'Make admin ada@example.test' }),
    )
    expect(await screen.findByRole('status')).toHaveTextContent(
      'ada@example.test is now an admin, from their next session refresh.',
    )
    expect(calls.find((call) => call.method === 'PATCH')?.body).toEqual({ role: 'admin' })
  })

  it('asks before disabling, and sends nothing when cancelled', async () => {
    const calls = serve(() => Response.json({ ...ada, status: 'disabled' }))
    renderPage()
    const disable = await screen.findByRole('button', { name: 'Disable ada@example.test' })
    await userEvent.click(disable)
    const dialog = await screen.findByRole('dialog', { name: 'Disable this account?' })
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    expect(calls.some((call) => call.method === 'PATCH')).toBe(false)

    await userEvent.click(disable)
    const again = await screen.findByRole('dialog', { name: 'Disable this account?' })
    await userEvent.click(within(again).getByRole('button', { name: 'Disable' }))
    expect(await screen.findByRole('status')).toHaveTextContent(
      'ada@example.test is disabled and signed out everywhere.',
    )
    expect(calls.find((call) => call.method === 'PATCH')?.body).toEqual({ disabled: true })
  })

  it('shows a refused change in words', async () => {
    serve(() =>
      Response.json(
        { error: { code: 'conflict', message: 'a team must keep an admin', requestId: 'r' } },
        { status: 409 },
      ),
    )
    renderPage()
    await userEvent.click(
      await screen.findByRole('button', { name: 'Make admin ada@example.test' }),
    )
    expect(await screen.findByRole('alert')).toHaveTextContent('a team must keep an admin')
  })

  it('keeps an admin from demoting or disabling themselves', async () => {
    serve(() => Response.json(ada))
    renderPage()
    expect(
      await screen.findByRole('button', { name: 'Remove admin from boss@example.test' }),
    ).toBeDisabled()
    expect(screen.getByRole('button', { name: 'Disable boss@example.test' })).toBeDisabled()
  })

  it('makes a reset link for an account and shows it once, to copy and hand over', async () => {
    const calls = serve(() => Response.json(ada))
    renderPage()
    await userEvent.click(
      await screen.findByRole('button', { name: 'Reset link for ada@example.test' }),
    )
    const dialog = await screen.findByRole('dialog', { name: 'Password reset link' })
    expect(await within(dialog).findByRole('textbox', { name: 'Reset link' })).toHaveValue(
      'http://parley.test/reset-password#token_hash=abc&type=recovery',
    )
    expect(within(dialog).getByRole('button', { name: 'Copy link' })).toBeVisible()
    expect(calls.filter((call) => call.method === 'POST')).toHaveLength(1)
  })
})
