import { describe, expect, it } from 'vitest'
import { classifyTurn } from './auto-model.ts'
import { backoffDelay, defaultRetryPolicy } from './retry-policy.ts'

const user = (content: string) => ({ role: 'user' as const, content })

describe('classifyTurn', () => {
  it('calls a short question a simple turn', () => {
    expect(classifyTurn([user('Thanks! What time zone is Lisbon in?')])).toEqual({
      tier: 'small',
      reasons: ['short simple turn'],
    })
  })

  it('spots code without fences', () => {
    const code =
      'const total = items.reduce((a, b) => a + b, 0);\nif (total > 10) {\n  return total;\n}'
    expect(classifyTurn([user(code)]).reasons).toContain('code')
  })

  it('spots requests for reasoning', () => {
    expect(classifyTurn([user('Prove that the square root of 2 is irrational')]).tier).toBe(
      'strong',
    )
  })

  it('sends long messages and long conversations to the strong model', () => {
    expect(classifyTurn([user('lorem ipsum dolor '.repeat(300))]).reasons).toContain('long message')
    const history = Array.from({ length: 20 }, () => ({
      role: 'assistant' as const,
      content: 'x',
      tokenCount: 1_000,
    }))
    expect(classifyTurn([...history, user('and?')]).reasons).toEqual(['long conversation'])
  })

  it('judges the newest user message, not earlier ones', () => {
    const turns = [
      user('```js\nlet x = 1\n```'),
      { role: 'assistant' as const, content: 'ok' },
      user('thanks'),
    ]
    expect(classifyTurn(turns).tier).toBe('small')
  })
})

describe('backoffDelay', () => {
  const policy = {
    ...defaultRetryPolicy,
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    retryAfterCapMs: 5_000,
  }

  it('draws full jitter below an exponentially growing, capped ceiling', () => {
    expect(backoffDelay(1, undefined, policy, () => 0.999)).toBe(99)
    expect(backoffDelay(3, undefined, policy, () => 0.999)).toBe(399)
    expect(backoffDelay(8, undefined, policy, () => 0.999)).toBe(999)
    expect(backoffDelay(8, undefined, policy, () => 0)).toBe(0)
  })

  it('waits at least the Retry-After, and gives up when it exceeds the cap', () => {
    expect(backoffDelay(1, 2_000, policy, () => 0.5)).toBe(2_000)
    expect(backoffDelay(1, 5_001, policy, () => 0.5)).toBeNull()
  })
})
