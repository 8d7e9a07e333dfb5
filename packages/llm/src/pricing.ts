import type { ModelPrices } from './catalog/model-spec.ts'
import type { Usage } from './types.ts'

const MICROS_PER_USD = 1_000_000n
const TOKENS_PER_MILLION = 1_000_000n
const decimalUsd = /^(\d+)(?:\.(\d{1,6}))?$/

/**
 * Converts a USD amount (a decimal string such as `"0.075"`, or a number as `numeric(12,6)`
 * columns return it) to integer micro-dollars without going through binary floating point for strings.
 */
export function usdToMicros(value: number | string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('price must be a finite number')
    if (value < 0) throw new RangeError('price must not be negative')
    const micros = Math.round(value * 1_000_000)
    if (Math.abs(micros - value * 1_000_000) > 1e-3) {
      throw new RangeError('price must have at most 6 decimal places')
    }
    return micros
  }
  const match = decimalUsd.exec(value.trim())
  if (!match)
    throw new RangeError(`price "${value}" is not a non-negative decimal with at most 6 places`)
  const whole = BigInt(match[1] ?? '0')
  const fraction = BigInt((match[2] ?? '').padEnd(6, '0'))
  return Number(whole * MICROS_PER_USD + fraction)
}

/** `2_500_000` -> `"2.5"`: a micro-dollar amount as a plain decimal USD string. */
export function formatUsd(micros: number): string {
  const sign = micros < 0 ? '-' : ''
  const abs = Math.abs(micros)
  const whole = Math.floor(abs / 1_000_000)
  const fraction = String(abs % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '')
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`
}

/**
 * Cost of one call in integer micro-dollars. Uncached input, cached input and output are priced
 * separately (reasoning tokens are already part of output); the exact sum in
 * micro-dollar-tokens is divided by one million once and rounded up, so a call never costs
 * less than it did and the rounding error is under one micro-dollar per call.
 */
export function costMicroUsd(usage: Usage, prices: ModelPrices): number {
  const cached = BigInt(Math.min(usage.cachedInputTokens, usage.inputTokens))
  const uncached = BigInt(usage.inputTokens) - cached
  const numerator =
    uncached * BigInt(prices.inputMicroUsdPerMTok) +
    cached * BigInt(prices.cachedInputMicroUsdPerMTok) +
    BigInt(usage.outputTokens) * BigInt(prices.outputMicroUsdPerMTok)
  const micros = (numerator + TOKENS_PER_MILLION - 1n) / TOKENS_PER_MILLION
  return Number(micros)
}
