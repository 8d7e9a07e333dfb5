import { act, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { messageFixture } from '../message-fixture.ts'
import { appendLiveText, resetStreams, useStreamStore } from '../stores/stream-store.ts'
import { MessageBubble } from './message-bubble.tsx'

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)))

describe('MessageBubble', () => {
  beforeEach(() => resetStreams())

  it('shows the typing dots until the first words of a reply arrive', () => {
    const reply = messageFixture({ status: 'streaming' })
    render(<MessageBubble message={reply} busy onRegenerate={vi.fn()} />)
    expect(screen.getByText('Parley is writing')).toBeInTheDocument()
  })

  it('paints a burst of streamed words together, once per frame, in order', async () => {
    const reply = messageFixture({ status: 'streaming' })
    render(<MessageBubble message={reply} busy onRegenerate={vi.fn()} />)
    let storeUpdates = 0
    const unsubscribe = useStreamStore.subscribe(() => {
      storeUpdates += 1
    })
    const words = Array.from({ length: 40 }, (_, i) => `word${i} `)
    act(() => {
      for (const word of words) appendLiveText(reply.id, word)
    })
    expect(screen.queryByText(/word0/)).not.toBeInTheDocument()
    await act(nextFrame)
    unsubscribe()
    expect(storeUpdates).toBe(1)
    expect(await screen.findByText(words.join('').trim())).toBeInTheDocument()
    expect(screen.queryByText('Parley is writing')).not.toBeInTheDocument()
  })

  it('keeps the text of a stopped reply and says it was stopped', async () => {
    const reply = messageFixture({
      status: 'incomplete',
      content: 'Half of an answer',
      error: { code: 'stopped', message: 'Stopped' },
    })
    render(<MessageBubble message={reply} busy={false} onRegenerate={vi.fn()} />)
    expect(await screen.findByText('Half of an answer')).toBeInTheDocument()
    expect(screen.getByText('Stopped')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Regenerate' })).toBeInTheDocument()
  })

  it('explains a reply that broke off and retries it from the same place', async () => {
    const onRegenerate = vi.fn()
    const reply = messageFixture({
      status: 'incomplete',
      content: 'The first part',
      error: { code: 'provider_error', message: 'The provider closed the stream' },
    })
    render(<MessageBubble message={reply} busy={false} onRegenerate={onRegenerate} />)
    expect(await screen.findByText('The first part')).toBeInTheDocument()
    expect(screen.getByRole('alert')).toHaveTextContent(
      'The reply was interrupted: The provider closed the stream',
    )
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }))
    expect(onRegenerate).toHaveBeenCalledExactlyOnceWith(reply.id)
  })

  it('offers Regenerate on any finished reply, but not while a reply is being written', () => {
    const reply = messageFixture({ content: 'An answer' })
    const { rerender } = render(
      <MessageBubble message={reply} busy={false} onRegenerate={vi.fn()} />,
    )
    expect(screen.getByRole('button', { name: 'Regenerate' })).toBeInTheDocument()
    rerender(<MessageBubble message={reply} busy onRegenerate={vi.fn()} />)
    expect(screen.queryByRole('button', { name: 'Regenerate' })).not.toBeInTheDocument()
  })

  it('shows the model, tokens and cost of a finished reply, and a copy button', () => {
    const reply = messageFixture({
      content: 'Done.',
      model: 'gpt-5-mini',
      inputTokens: 1200,
      outputTokens: 340,
      costMicroUsd: 2100,
    })
    render(<MessageBubble message={reply} busy={false} onRegenerate={vi.fn()} />)
    const article = screen.getByRole('article', { name: 'Reply' })
    expect(
      within(article).getByText('gpt-5-mini · 1.2K in · 340 out · $0.0021'),
    ).toBeInTheDocument()
    expect(within(article).getByRole('button', { name: 'Copy reply' })).toBeInTheDocument()
  })

  it('shows a user message as plain text, markup and all', () => {
    const message = messageFixture({ role: 'user', content: '**not bold** <b>nor this</b>' })
    render(<MessageBubble message={message} busy={false} onRegenerate={vi.fn()} />)
    expect(screen.getByText('**not bold** <b>nor this</b>')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Copy message' })).toBeInTheDocument()
  })
})
