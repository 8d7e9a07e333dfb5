import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { messageFixture } from '../message-fixture.ts'
import { MessageBubble } from './message-bubble.tsx'

const renderReply = (overrides: Parameters<typeof messageFixture>[0] = {}) => {
  const onFeedback = vi.fn()
  const reply = messageFixture({ content: 'An answer', ...overrides })
  render(
    <MessageBubble message={reply} busy={false} onRegenerate={vi.fn()} onFeedback={onFeedback} />,
  )
  return { reply, onFeedback }
}

describe('feedback on a reply', () => {
  it('votes at once, then sends the reasons and comment given in the form', async () => {
    const user = userEvent.setup()
    const { reply, onFeedback } = renderReply()
    await user.click(screen.getByRole('button', { name: 'Bad reply' }))
    expect(onFeedback).toHaveBeenLastCalledWith(reply.id, { vote: 'down' })

    const form = screen.getByRole('form', { name: 'Feedback on this reply' })
    expect(within(form).getByRole('checkbox', { name: 'Inaccurate' })).toHaveFocus()
    expect(within(form).queryByRole('checkbox', { name: 'Helpful' })).not.toBeInTheDocument()
    await user.click(within(form).getByRole('checkbox', { name: 'Too long' }))
    await user.type(within(form).getByRole('textbox', { name: 'Comment (optional)' }), ' Rambles ')
    await user.click(within(form).getByRole('button', { name: 'Send feedback' }))

    expect(onFeedback).toHaveBeenLastCalledWith(reply.id, {
      vote: 'down',
      reasons: ['too_long'],
      comment: 'Rambles',
    })
    expect(screen.queryByRole('form')).not.toBeInTheDocument()
  })

  it('shows the stored vote as pressed, and clears it when pressed again', async () => {
    const user = userEvent.setup()
    const { reply, onFeedback } = renderReply({
      feedback: { vote: 'up', reasons: ['helpful'], comment: null },
    })
    const up = screen.getByRole('button', { name: 'Good reply' })
    expect(up).toHaveAttribute('aria-pressed', 'true')
    expect(screen.getByRole('button', { name: 'Bad reply' })).toHaveAttribute(
      'aria-pressed',
      'false',
    )
    await user.click(up)
    expect(onFeedback).toHaveBeenCalledExactlyOnceWith(reply.id, null)
    expect(screen.queryByRole('form')).not.toBeInTheDocument()
  })

  it('starts the form from the stored reasons, and Escape keeps the bare vote', async () => {
    const user = userEvent.setup()
    const { onFeedback } = renderReply({
      feedback: { vote: 'down', reasons: ['off_topic'], comment: 'Not asked' },
    })
    await user.click(screen.getByRole('button', { name: 'Good reply' }))
    const form = screen.getByRole('form', { name: 'Feedback on this reply' })
    expect(within(form).getByRole('checkbox', { name: 'Accurate' })).not.toBeChecked()
    await user.keyboard('{Escape}')
    expect(screen.queryByRole('form')).not.toBeInTheDocument()
    expect(onFeedback).toHaveBeenCalledOnce()
  })
})
