import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { useSearchStore } from '../features/search/stores/search-store.ts'
import { KeyboardShortcuts } from './keyboard-shortcuts.tsx'

afterEach(() => useSearchStore.setState({ open: false }))

describe('KeyboardShortcuts', () => {
  it('opens search on Ctrl+K and on Cmd+K', async () => {
    render(<KeyboardShortcuts />)
    await userEvent.keyboard('{Control>}k{/Control}')
    expect(useSearchStore.getState().open).toBe(true)
    useSearchStore.setState({ open: false })
    await userEvent.keyboard('{Meta>}k{/Meta}')
    expect(useSearchStore.getState().open).toBe(true)
  })

  it('lists the search shortcut among the shortcuts', async () => {
    render(<KeyboardShortcuts />)
    await userEvent.keyboard('?')
    expect(screen.getByText('Ctrl (⌘) + K')).toBeInTheDocument()
    expect(screen.getByText('Search messages and files')).toBeInTheDocument()
  })
})
