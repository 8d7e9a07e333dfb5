import { createRequire } from 'node:module'
import type { Encoding, ModelSpec, TokenizerSpec } from '../catalog/model-spec.ts'

type CountEncoded = typeof import('gpt-tokenizer/encoding/o200k_base').countTokens

// An encoding's tables cost tens of MB: each loads on its first count, synchronously (require).
const require = createRequire(import.meta.url)
const load = (id: string) => (require(id) as { countTokens: CountEncoded }).countTokens
const loaders: Record<Encoding, () => CountEncoded> = {
  o200k_base: () => load('gpt-tokenizer/encoding/o200k_base'),
  cl100k_base: () => load('gpt-tokenizer/encoding/cl100k_base'),
}
const counters: Partial<Record<Encoding, CountEncoded>> = {}

// User text may contain strings like "<|endoftext|>"; count them as text instead of throwing.
const asPlainText = { disallowedSpecial: new Set<string>() }

/** Exact token count of `text` in a `gpt-tokenizer` encoding: what `messages.token_count` caches. */
export function countEncodedTokens(text: string, encoding: Encoding = 'o200k_base'): number {
  if (text.length === 0) return 0
  const count = counters[encoding] ?? loaders[encoding]()
  counters[encoding] = count
  return count(text, asPlainText)
}

/** Scales a raw encoder count by the model's calibration factor, rounding up. */
export function calibrate(rawTokens: number, tokenizer: TokenizerSpec): number {
  return tokenizer.factor === 1 ? rawTokens : Math.ceil(rawTokens * tokenizer.factor)
}

/**
 * Tokens `text` costs on `spec`'s model: exact for OpenAI models, an estimate (encoder count times
 * a calibration factor) where the model's tokenizer is not public (see `isEstimate`).
 */
export function countTokens(text: string, spec: Pick<ModelSpec, 'tokenizer'>): number {
  return calibrate(countEncodedTokens(text, spec.tokenizer.encoding), spec.tokenizer)
}

/** True when `countTokens` for this model is a calibrated estimate rather than the model's own count. */
export function isEstimate(spec: Pick<ModelSpec, 'tokenizer'>): boolean {
  return spec.tokenizer.factor !== 1
}

/** Chat-format framing per message (role markers, separators) on top of the content tokens. */
export const MESSAGE_OVERHEAD_TOKENS = 4
/** Tokens that prime the reply after the last message. */
export const REPLY_PRIMING_TOKENS = 3
