import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { messageFixture } from '../message-fixture.ts'
import { stopEditing } from '../stores/edit-store.ts'
import { MessageBubble } from './message-bubble.tsx'

afterEach(() => stopEditing())

describe('versions of a message', () => {
  it('moves between siblings with < n/m >, and not while a reply is being written', async () => {
    const user = userEvent.setup()
    const onSwitchBranch = vi.fn()
    const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()]
    const reply = messageFixture({ id: ids[1], content: 'Second try', siblingIds: ids })
    const { rerender } = render(
      <MessageBubble
        message={reply}
        busy={false}
        onRegenerate={vi.fn()}
        onSwitchBranch={onSwitchBranch}
      />,
    )
    const versions = screen.getByRole('group', { name: 'Versions' })
    expect(versions).toHaveTextContent('Version 2 of 3')
    await user.click(within(versions).getByRole('button', { name: 'Previous version' }))
    await user.click(within(versions).getByRole('button', { name: 'Next version' }))
    expect(onSwitchBranch.mock.calls).toEqual([[ids[0]], [ids[2]]])

    rerender(
      <MessageBubble message={reply} busy onRegenerate={vi.fn()} onSwitchBranch={onSwitchBranch} />,
    )
    expect(screen.getByRole('button', { name: 'Next version' })).toBeDisabled()
  })

  it('shows no switcher on a message without siblings', () => {
    const message = messageFixture({ role: 'user', content: 'Only one' })
    render(
      <MessageBubble
        message={{ ...message, siblingIds: [message.id] }}
        busy={false}
        onRegenerate={vi.fn()}
        onSwitchBranch={vi.fn()}
      />,
    )
    expect(screen.queryByRole('group', { name: 'Versions' })).not.toBeInTheDocument()
  })

  it('edits a sent message in place and sends the new text; Escape keeps the old one', async () => {
    const user = userEvent.setup()
    const onEdit = vi.fn()
    const message = messageFixture({ role: 'user', content: 'Three days in Rome' })
    render(<MessageBubble message={message} busy={false} onRegenerate={vi.fn()} onEdit={onEdit} />)

    await user.click(screen.getByRole('button', { name: 'Edit message' }))
    await user.keyboard('{Escape}')
    expect(screen.getByText('Three days in Rome')).toBeInTheDocument()

    await user.click(screen.getByRole('button', { name: 'Edit message' }))
    const box = screen.getByRole('textbox', { name: 'Edit message' })
    expect(box).toHaveFocus()
    await user.clear(box)
    await user.type(box, 'Five days in Rome')
    await user.click(screen.getByRole('button', { name: 'Send' }))
    expect(onEdit).toHaveBeenCalledExactlyOnceWith(message, 'Five days in Rome')
  })
})
