import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import { useDemoNoticeStore } from '../stores/demo-notice-store.ts'
import { DemoNotice } from './demo-notice.tsx'

describe('DemoNotice', () => {
  beforeEach(() => useDemoNoticeStore.setState({ dismissed: false }))

  it('can be dismissed, and stays dismissed after a reload', async () => {
    const { unmount } = render(<DemoNotice />)
    expect(screen.getByRole('complementary', { name: 'Demo mode' })).toHaveTextContent(
      'OPENAI_API_KEY',
    )
    await userEvent.click(screen.getByRole('button', { name: 'Dismiss the demo notice' }))
    expect(screen.queryByRole('complementary', { name: 'Demo mode' })).not.toBeInTheDocument()
    expect(JSON.parse(localStorage.getItem('parley.demo-notice') ?? '{}')).toMatchObject({
      state: { dismissed: true },
    })
    unmount()
    await useDemoNoticeStore.persist.rehydrate()
    render(<DemoNotice />)
    expect(screen.queryByRole('complementary', { name: 'Demo mode' })).not.toBeInTheDocument()
  })
})
