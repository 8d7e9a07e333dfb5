import { renderHook } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { messageFixture } from '../message-fixture.ts'
import { useMessageJump } from './message-jump.tsx'

const pages = (fields: { hasNextPage: boolean; isFetchingNextPage?: boolean }) => ({
  isPending: false,
  isFetchingNextPage: false,
  fetchNextPage: vi.fn(),
  ...fields,
})

describe('jumping to a message a search found', () => {
  const shown = [messageFixture({ role: 'user' }), messageFixture()]

  it('highlights the message when the thread shows it', () => {
    const target = shown[1]?.id ?? ''
    const thread = pages({ hasNextPage: true })
    const { result } = renderHook(() => useMessageJump(target, shown, thread))
    expect(result.current).toEqual({ highlightId: target, offBranch: false })
    expect(thread.fetchNextPage).not.toHaveBeenCalled()
  })

  it('reads older messages while the message is not among those loaded', () => {
    const thread = pages({ hasNextPage: true })
    const { result } = renderHook(() => useMessageJump(crypto.randomUUID(), shown, thread))
    expect(thread.fetchNextPage).toHaveBeenCalledOnce()
    expect(result.current).toEqual({ highlightId: null, offBranch: false })
  })

  it('says the message is on another branch once the whole thread is read without it', () => {
    const thread = pages({ hasNextPage: false })
    const { result } = renderHook(() => useMessageJump(crypto.randomUUID(), shown, thread))
    expect(result.current).toEqual({ highlightId: null, offBranch: true })
    expect(thread.fetchNextPage).not.toHaveBeenCalled()
  })

  it('does nothing without a message to find', () => {
    const thread = pages({ hasNextPage: true })
    const { result } = renderHook(() => useMessageJump(null, shown, thread))
    expect(result.current).toEqual({ highlightId: null, offBranch: false })
    expect(thread.fetchNextPage).not.toHaveBeenCalled()
  })
})
