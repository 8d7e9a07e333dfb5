import type { ContextMessage, ConversationRow, MessageRow } from '@parley/db'
import { describe, expect, it } from 'vitest'
import { HeldThreads, withinTokens } from './held-threads.ts'
import type { PreparedTurn, TurnEnd } from './turn-types.ts'

const message = (id: string, tokenCount: number): ContextMessage => ({
  id,
  role: 'user',
  content: id,
  tokenCount,
  status: 'complete',
})

describe('withinTokens', () => {
  it('keeps the newest messages as begin_turn walks them, the one crossing the budget included', () => {
    const history = [message('a', 5), message('b', 5), message('c', 5), message('d', 5)]
    expect(withinTokens(history, 10).map((m) => m.id)).toEqual(['c', 'd'])
    expect(withinTokens(history, 11).map((m) => m.id)).toEqual(['b', 'c', 'd'])
    expect(withinTokens(history, 1).map((m) => m.id)).toEqual(['d'])
    expect(withinTokens([], 10)).toEqual([])
  })
})

const conversation = { id: 'c1', userId: 'u1' } as ConversationRow
const row = (id: string, role: 'user' | 'assistant') =>
  ({ id, role, content: `${role} ${id}`, tokenCount: 3, status: 'complete' }) as MessageRow
const turn = {
  conversation,
  profile: { displayName: null, aboutMe: null, replyStyle: null },
  userMessage: row('q1', 'user'),
  assistantMessage: row('r1', 'assistant'),
  model: 'gpt-test',
  history: [],
  untitled: false,
  budget: null,
} as unknown as PreparedTurn
const end = (saved: boolean) =>
  ({ saved, assistantMessage: row('r1', 'assistant'), conversation }) as TurnEnd

const send = (over: Record<string, unknown>) => ({
  kind: 'send' as const,
  conversationId: 'c1',
  content: 'next',
  ...over,
})

describe('HeldThreads', () => {
  it('offers the held thread only to its owner, for a send that follows the reply it holds', () => {
    const held = new HeldThreads({ historyTokens: () => 1_000 })
    held.remember(turn, end(true))
    const question = { tokenCount: 1, model: null }
    const likely = held.likelyTurn('u1', send({ leafId: 'r1' }), question)
    expect(likely?.history.map((m) => m.id)).toEqual(['q1', 'r1'])
    expect(likely?.userMessage).toEqual({ role: 'user', content: 'next', tokenCount: 1 })
    expect(likely?.model).toBe('gpt-test')
    expect(held.likelyTurn('u1', send({ parentId: 'r1' }), question)).toBeDefined()
    expect(held.likelyTurn('u2', send({ leafId: 'r1' }), question)).toBeUndefined()
    expect(held.likelyTurn('u1', send({}), question)).toBeUndefined()
    expect(held.likelyTurn('u1', send({ parentId: 'q1', leafId: 'r1' }), question)).toBeUndefined()
    expect(
      held.likelyTurn(
        'u1',
        { kind: 'regenerate', conversationId: 'c1', messageId: 'r1' },
        question,
      ),
    ).toBeUndefined()
  })

  it('forgets a thread whose outcome was not stored, or that proved wrong', () => {
    const held = new HeldThreads({ historyTokens: () => 1_000 })
    const question = { tokenCount: 1, model: null }
    held.remember(turn, end(false))
    expect(held.likelyTurn('u1', send({ leafId: 'r1' }), question)).toBeUndefined()
    held.remember(turn, end(true))
    held.forget('c1')
    expect(held.likelyTurn('u1', send({ leafId: 'r1' }), question)).toBeUndefined()
  })
})
