import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { clearDrafts, setDraft } from '../stores/draft-store.ts'
import { Composer } from './composer.tsx'

describe('Composer', () => {
  beforeEach(() => clearDrafts())

  it('sends the text on Enter and empties the box', async () => {
    const onSend = vi.fn()
    render(<Composer draftKey="a" busy={false} onSend={onSend} />)
    const box = screen.getByRole('textbox', { name: 'Message' })
    await userEvent.type(box, 'Hello there{Enter}')
    expect(onSend).toHaveBeenCalledExactlyOnceWith('Hello there')
    expect(box).toHaveValue('')
  })

  it('starts a new line on Shift+Enter instead of sending', async () => {
    const onSend = vi.fn()
    render(<Composer draftKey="a" busy={false} onSend={onSend} />)
    const box = screen.getByRole('textbox', { name: 'Message' })
    await userEvent.type(box, 'first{Shift>}{Enter}{/Shift}second')
    expect(onSend).not.toHaveBeenCalled()
    expect(box).toHaveValue('first\nsecond')
    await userEvent.click(screen.getByRole('button', { name: 'Send' }))
    expect(onSend).toHaveBeenCalledExactlyOnceWith('first\nsecond')
  })

  it('refuses a message over the size limit and says by how much', () => {
    const onSend = vi.fn()
    setDraft('a', 'x'.repeat(100_005))
    render(<Composer draftKey="a" busy={false} onSend={onSend} />)
    expect(screen.getByText(/5 characters over the 100,000-character limit/)).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled()
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveAttribute('aria-invalid', 'true')
  })

  it('does not send blank text', async () => {
    const onSend = vi.fn()
    render(<Composer draftKey="a" busy={false} onSend={onSend} />)
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), '   {Enter}')
    expect(onSend).not.toHaveBeenCalled()
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled()
  })

  it('holds the message while a reply is on its way and offers Stop instead of Send', async () => {
    const onSend = vi.fn()
    const onStop = vi.fn()
    render(<Composer draftKey="a" busy onSend={onSend} onStop={onStop} />)
    const box = screen.getByRole('textbox', { name: 'Message' })
    await userEvent.type(box, 'next question{Enter}')
    expect(onSend).not.toHaveBeenCalled()
    expect(box).toHaveValue('next question')
    expect(screen.queryByRole('button', { name: 'Send' })).not.toBeInTheDocument()
    await userEvent.click(screen.getByRole('button', { name: 'Stop' }))
    expect(onStop).toHaveBeenCalledOnce()
  })

  it('keeps a separate draft for each conversation', async () => {
    const { rerender } = render(<Composer draftKey="a" busy={false} onSend={vi.fn()} />)
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'draft for a')
    rerender(<Composer draftKey="b" busy={false} onSend={vi.fn()} />)
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveValue('')
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'for b')
    rerender(<Composer draftKey="a" busy={false} onSend={vi.fn()} />)
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveValue('draft for a')
  })

  it('keeps focus in the box after sending with the button', async () => {
    render(<Composer draftKey="a" busy={false} onSend={vi.fn()} />)
    const box = screen.getByRole('textbox', { name: 'Message' })
    await userEvent.type(box, 'hi')
    await userEvent.click(screen.getByRole('button', { name: 'Send' }))
    expect(box).toHaveFocus()
  })

  it('edits the last message on Up in an empty box, and moves the caret otherwise', async () => {
    const onEditLast = vi.fn()
    render(<Composer draftKey="a" busy={false} onSend={vi.fn()} onEditLast={onEditLast} />)
    const box = screen.getByRole('textbox', { name: 'Message' })
    await userEvent.type(box, 'draft{ArrowUp}')
    expect(onEditLast).not.toHaveBeenCalled()
    await userEvent.clear(box)
    await userEvent.keyboard('{ArrowUp}')
    expect(onEditLast).toHaveBeenCalledOnce()
  })
})
