import { screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { renderWithQueries } from '../../../testing/render-with-queries.tsx'
import { SignUpPage } from './sign-up-page.tsx'

/** The auth server's `/settings`, as this test's server answers it. */
function serveSettings(settings: Record<string, unknown>) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      if (String(input).endsWith('/auth/v1/settings')) return Response.json(settings)
      return new Response(null, { status: 404 })
    }),
  )
}

function renderPage(path = '/sign-up') {
  window.history.pushState(null, '', path)
  renderWithQueries(<SignUpPage />)
}

afterEach(() => {
  vi.unstubAllGlobals()
  window.history.pushState(null, '', '/')
})

describe('SignUpPage', () => {
  it('shows no form when the server has closed sign-ups', async () => {
    serveSettings({ disable_signup: true, parley_signup: 'closed' })
    renderPage()
    expect(await screen.findByRole('heading', { name: 'Sign-ups are closed' })).toBeVisible()
    expect(screen.queryByRole('button', { name: 'Create account' })).not.toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Sign in' })).toBeVisible()
  })

  it('asks for the invitation, filled in from the invitation link', async () => {
    serveSettings({ disable_signup: true, parley_signup: 'invite' })
    renderPage('/sign-up?invitation=abc-123')
    const field = await screen.findByRole('textbox', { name: 'Invitation code' })
    expect(field).toHaveValue('abc-123')
    expect(field).toBeRequired()
  })

  it('is the plain form when sign-ups are open', async () => {
    serveSettings({ disable_signup: false })
    renderPage()
    expect(await screen.findByRole('button', { name: 'Create account' })).toBeVisible()
    expect(screen.queryByRole('textbox', { name: 'Invitation code' })).not.toBeInTheDocument()
  })
})
