import type { Me } from '@parley/schema/contracts'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Router } from 'wouter'
import { memoryLocation } from 'wouter/memory-location'
import { AdminConsole } from './admin-console.tsx'

function serveMe(role: Me['role']) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      if (new URL(String(input)).pathname !== '/api/v1/me') {
        return new Response(null, { status: 404 })
      }
      return Response.json({
        id: '11111111-2222-4333-8444-555555555555',
        email: 'someone@example.test',
        displayName: null,
        defaultModel: null,
        theme: 'system',
        customInstructions: null,
        role,
      })
    }),
  )
}

function renderConsole(path: string) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  render(
    <QueryClientProvider client={client}>
      <Router hook={memoryLocation({ path }).hook}>
        <AdminConsole>
          <p>The open page</p>
        </AdminConsole>
      </Router>
    </QueryClientProvider>,
  )
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('AdminConsole', () => {
  it('frames the page with the console navigation, the open page marked', async () => {
    serveMe('admin')
    renderConsole('/admin/feedback')
    const nav = await screen.findByRole('navigation', { name: 'Admin console' })
    expect(nav).toBeVisible()
    expect(screen.getByRole('link', { name: 'Feedback' })).toHaveAttribute('aria-current', 'page')
    expect(screen.getByRole('link', { name: 'Usage' })).not.toHaveAttribute('aria-current')
    expect(screen.getByText('The open page')).toBeVisible()
  })

  it('tells someone without the admin role so, and shows none of the page', async () => {
    serveMe('user')
    renderConsole('/admin/feedback')
    expect(await screen.findByRole('alert')).toHaveTextContent('This needs the admin role')
    expect(screen.queryByText('The open page')).toBeNull()
    expect(screen.queryByRole('navigation', { name: 'Admin console' })).toBeNull()
  })
})
