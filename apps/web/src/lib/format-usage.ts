const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 })

export const formatTokens = (count: number) => compact.format(count)

/** Micro-dollars as dollars, with enough digits that a cheap reply does not read as free. */
export function formatCost(microUsd: number): string {
  if (microUsd === 0) return '$0'
  const usd = microUsd / 1_000_000
  if (usd < 0.0001) return '<$0.0001'
  if (usd < 0.01) return `$${usd.toFixed(4)}`
  if (usd < 1) return `$${usd.toFixed(3)}`
  return `$${usd.toFixed(2)}`
}
