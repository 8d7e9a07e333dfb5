import type { Encoding } from '../catalog/model-spec.ts'
import { countEncodedTokens } from './count-tokens.ts'

/**
 * The longest prefix of `text` that fits in `maxTokens` (whole characters, found by bisection
 * with the linear-time counter): what an embeddings input is cut to when it exceeds the model's
 * input limit.
 */
export function truncateToTokens(
  text: string,
  maxTokens: number,
  encoding: Encoding = 'o200k_base',
): string {
  if (countEncodedTokens(text, encoding) <= maxTokens) return text
  let low = 0
  let high = text.length
  while (low < high) {
    const middle = Math.ceil((low + high) / 2)
    if (countEncodedTokens(text.slice(0, middle), encoding) <= maxTokens) low = middle
    else high = middle - 1
  }
  const code = text.charCodeAt(low - 1)
  // never end on half a surrogate pair
  return code >= 0xd800 && code <= 0xdbff ? text.slice(0, low - 1) : text.slice(0, low)
}
