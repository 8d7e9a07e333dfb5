import { createRequire } from 'node:module'
import { LRUCache } from 'lru-cache'
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

/** Longest run of one character class the encoder sees whole; BPE time grows with its square. */
export const MAX_ENCODED_RUN = 256

// Every pre-token of the o200k and cl100k patterns longer than a few characters lies inside one
// run of letters and marks, or of characters that are neither letters, marks nor digits. The
// lookbehinds make the scan linear: inside a run they fail at once, so each run is scanned once.
const longRun = new RegExp(
  `(?<![\\p{L}\\p{M}])[\\p{L}\\p{M}]{${MAX_ENCODED_RUN + 1},}` +
    `|(?<![^\\p{L}\\p{M}\\p{N}])[^\\p{L}\\p{M}\\p{N}]{${MAX_ENCODED_RUN + 1},}`,
  'gu',
)

/**
 * Token count of `text` with `countPiece` (an exact encoder count), keeping the encoder's work
 * linear: runs longer than `MAX_ENCODED_RUN` are counted in slices of that length, plus one
 * token per slice, since a cut can save the encoder a merge. On ordinary text the result is the
 * exact count; on long runs it stays at or slightly above it.
 */
export function countInSlices(text: string, countPiece: (piece: string) => number): number {
  if (text.length <= MAX_ENCODED_RUN) return countPiece(text)
  let total = 0
  let from = 0
  for (const run of text.matchAll(longRun)) {
    total += countPiece(text.slice(from, run.index)) + countLongRun(run[0], countPiece)
    from = run.index + run[0].length
  }
  return total + countPiece(text.slice(from))
}

function countLongRun(run: string, countPiece: (piece: string) => number): number {
  let total = 0
  for (let at = 0; at < run.length; ) {
    let end = Math.min(at + MAX_ENCODED_RUN, run.length)
    // never split a surrogate pair: half a character would be counted as replacement bytes
    if (end < run.length && isLowSurrogate(run.charCodeAt(end))) end -= 1
    total += countPiece(run.slice(at, end)) + 1
    at = end
  }
  return total
}

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff

/**
 * Token count of `text` in a `gpt-tokenizer` encoding: what `messages.token_count` caches. Exact
 * unless the text holds a run over `MAX_ENCODED_RUN` characters, which is counted in slices
 * (see `countInSlices`) so that no input costs the encoder more than linear time.
 */
export function countEncodedTokens(text: string, encoding: Encoding = 'o200k_base'): number {
  if (text.length === 0) return 0
  const remember = text.length >= rememberedChars.min && text.length <= rememberedChars.max
  const key = remember ? `${encoding}\u0000${text}` : ''
  const known = remember ? remembered.get(key) : undefined
  if (known !== undefined) return known
  const count = counters[encoding] ?? loaders[encoding]()
  counters[encoding] = count
  const tokens = countInSlices(text, (piece) =>
    piece.length === 0 ? 0 : count(piece, asPlainText),
  )
  if (remember) remembered.set(key, tokens)
  return tokens
}

/**
 * Texts counted again and again, turn after turn: a conversation's system prompt (counted for the
 * context and again for each model the budget prices), passages, replayed history. Their counts
 * are kept for up to 8 MB of text; short texts cost less to count than to look up.
 */
const rememberedChars = { min: 200, max: 200_000 }
const remembered = new LRUCache<string, number>({
  maxSize: 8_000_000,
  sizeCalculation: (_tokens, key) => key.length,
})

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
