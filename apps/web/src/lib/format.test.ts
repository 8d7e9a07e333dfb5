import { describe, expect, it } from 'vitest'
import { daysBetween, formatMs, formatUsd, usdTicks } from './format.ts'

describe('usage formatting', () => {
  it('shows small amounts with enough digits that they do not read as free', () => {
    expect(formatUsd('0')).toBe('$0')
    expect(formatUsd('0.00001')).toBe('<$0.0001')
    expect(formatUsd('0.00126')).toBe('$0.0013')
    expect(formatUsd('0.5')).toBe('$0.500')
    expect(formatUsd('12.345')).toBe('$12.35')
  })

  it('lists every UTC day of a range, both ends included', () => {
    expect(daysBetween('2026-12-30', '2027-01-02')).toEqual([
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
    ])
    expect(daysBetween('2026-12-05', '2026-12-05')).toEqual(['2026-12-05'])
  })

  it('labels chart ticks with as many decimals as their step needs', () => {
    expect(usdTicks([0, 0.0001, 0.0002])).toEqual(['$0.0000', '$0.0001', '$0.0002'])
    expect(usdTicks([0, 5, 10])).toEqual(['$0.00', '$5.00', '$10.00'])
    expect(formatMs(null)).toBe('–')
    expect(formatMs(1234)).toBe('1,234 ms')
  })
})
