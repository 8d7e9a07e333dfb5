import { describe, expect, it } from 'vitest'
import { catalog, demoModel } from './catalog/catalog.ts'
import type { ModelSpec } from './catalog/model-spec.ts'
import { costMicroUsd, formatUsd, usdToMicros } from './pricing.ts'
import type { Usage } from './types.ts'

const spec = (id: string): ModelSpec => {
  const found = catalog.find((entry) => entry.id === id)
  if (!found) throw new Error(`no ${id} in catalog`)
  return found
}

const usage = (fields: Partial<Usage>): Usage => ({
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  reasoningTokens: 0,
  estimated: false,
  ...fields,
})

describe('usdToMicros', () => {
  it('parses decimal price strings exactly', () => {
    expect(usdToMicros('0.075')).toBe(75_000)
    expect(usdToMicros('2.50')).toBe(2_500_000)
    expect(usdToMicros('10')).toBe(10_000_000)
    expect(usdToMicros('0.000001')).toBe(1)
  })

  it('accepts numbers as numeric(12,6) columns return them', () => {
    expect(usdToMicros(0.1)).toBe(100_000)
    expect(usdToMicros(0.075)).toBe(75_000)
    expect(usdToMicros(180)).toBe(180_000_000)
  })

  it('rejects negative, over-precise and malformed prices', () => {
    expect(() => usdToMicros('-1')).toThrow()
    expect(() => usdToMicros(-0.5)).toThrow()
    expect(() => usdToMicros('0.0000001')).toThrow()
    expect(() => usdToMicros('1e-3')).toThrow()
    expect(() => usdToMicros('')).toThrow()
    expect(() => usdToMicros(Number.NaN)).toThrow()
  })

  it('formats micro-dollars back as USD', () => {
    expect(formatUsd(2_500_000)).toBe('2.5')
    expect(formatUsd(75_000)).toBe('0.075')
    expect(formatUsd(10_000_000)).toBe('10')
    expect(formatUsd(1)).toBe('0.000001')
  })
})

describe('costMicroUsd', () => {
  it('prices uncached input, cached input and output separately (GPT-6.1 Sol)', () => {
    // 800k uncached x $2 = $1.60; 200k cached x $0.10 = $0.02; 500k output x $10 = $5.00
    const cost = costMicroUsd(
      usage({ inputTokens: 1_000_000, cachedInputTokens: 200_000, outputTokens: 500_000 }),
      spec('gpt-6.1-sol').prices,
    )
    expect(cost).toBe(6_620_000)
  })

  it('prices an Anthropic call with cache reads (Claude Opus 5.5)', () => {
    // 10,000 uncached x $4 = 40,000 µ$; 30,000 cached x $0.20 = 6,000 µ$; 2,000 output x $20 = 40,000 µ$
    const cost = costMicroUsd(
      usage({ inputTokens: 40_000, cachedInputTokens: 30_000, outputTokens: 2_000 }),
      spec('claude-opus-5-5').prices,
    )
    expect(cost).toBe(86_000)
  })

  it('rounds the exact total up to a whole micro-dollar once per call', () => {
    // 1,234 x $0.10 = 123.4 µ$ and 567 x $0.50 = 283.5 µ$: 406.9 µ$ -> 407
    expect(
      costMicroUsd(usage({ inputTokens: 1_234, outputTokens: 567 }), spec('gpt-6-luna').prices),
    ).toBe(407)
    // 3 tokens x $0.10 = 0.3 µ$: a tiny call still costs 1 µ$, never 0
    expect(costMicroUsd(usage({ inputTokens: 3 }), spec('claude-haiku-5-5').prices)).toBe(1)
  })

  it('has no floating-point drift on prices that are not exact in binary', () => {
    // $0.075 is not representable as a double; 3 tokens x 0.075 µ$ is exactly 0.225 µ$ -> 1
    const prices = {
      inputMicroUsdPerMTok: 75_000,
      cachedInputMicroUsdPerMTok: 7_500,
      outputMicroUsdPerMTok: 450_000,
    }
    expect(costMicroUsd(usage({ inputTokens: 3 }), prices)).toBe(1)
    // 1,000,000,000 tokens x $0.075 is exactly $75
    expect(costMicroUsd(usage({ inputTokens: 1_000_000_000 }), prices)).toBe(75_000_000)
  })

  it('costs nothing for an empty call or the demo model', () => {
    expect(costMicroUsd(usage({}), spec('gpt-6.1-terra').prices)).toBe(0)
    expect(costMicroUsd(usage({ inputTokens: 5_000, outputTokens: 800 }), demoModel.prices)).toBe(0)
  })
})
