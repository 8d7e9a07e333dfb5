import { render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ChatPage } from './chat-page.tsx'

afterEach(() => vi.restoreAllMocks())

describe('ChatPage', () => {
  it('shows a malformed conversation address as not found, without asking the server', () => {
    const fetch = vi.spyOn(globalThis, 'fetch')
    render(<ChatPage conversationId="not-a-uuid" />)
    expect(screen.getByRole('heading', { name: 'Conversation not found' })).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Start a new chat' })).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Try again' })).not.toBeInTheDocument()
    expect(screen.queryByText(/Invalid UUID/)).not.toBeInTheDocument()
    expect(fetch).not.toHaveBeenCalled()
  })
})
