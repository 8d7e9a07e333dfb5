import fc from 'fast-check'
import { countTokens as encoderCount } from 'gpt-tokenizer/encoding/o200k_base'
import { describe, expect, it } from 'vitest'
import { catalog } from '../catalog/catalog.ts'
import { ANTHROPIC_TOKEN_FACTOR } from '../catalog/model-spec.ts'
import { eventLoopLagDuring } from '../testing/event-loop-lag.ts'
import {
  countEncodedTokens,
  countInSlices,
  countTokens,
  isEstimate,
  MAX_ENCODED_RUN,
} from './count-tokens.ts'

const openai = catalog.find((spec) => spec.provider === 'openai')
const anthropic = catalog.find((spec) => spec.provider === 'anthropic')
if (!openai || !anthropic) throw new Error('catalog lacks a provider')

describe('countTokens', () => {
  const text = 'Parley streams replies from many providers. function add(a, b) { return a + b }'

  it('counts OpenAI models exactly with o200k', () => {
    expect(countEncodedTokens('hello world')).toBe(2)
    expect(countTokens(text, openai)).toBe(countEncodedTokens(text, 'o200k_base'))
    expect(isEstimate(openai)).toBe(false)
  })

  it('estimates Anthropic models as o200k times the calibration factor, rounded up', () => {
    const raw = countEncodedTokens(text)
    expect(countTokens(text, anthropic)).toBe(Math.ceil(raw * ANTHROPIC_TOKEN_FACTOR))
    expect(isEstimate(anthropic)).toBe(true)
  })

  it('differs between o200k and cl100k where the vocabularies differ', () => {
    const sample = 'Grüße aus München! 東京で会いましょう。'
    expect(countEncodedTokens(sample, 'cl100k_base')).toBeGreaterThan(
      countEncodedTokens(sample, 'o200k_base'),
    )
  })

  it('gives a long text counted again the same count, per encoding', () => {
    const prompt = 'Grüße aus München! 東京で会いましょう。 '.repeat(20)
    const fresh = { o200k: encoderCount(prompt), cl100k: countEncodedTokens(prompt, 'cl100k_base') }
    expect(fresh.cl100k).toBeGreaterThan(fresh.o200k)
    for (let i = 0; i < 3; i++) {
      expect(countEncodedTokens(prompt, 'o200k_base')).toBe(fresh.o200k)
      expect(countEncodedTokens(prompt, 'cl100k_base')).toBe(fresh.cl100k)
    }
  })

  it('counts special-token lookalikes in user text as plain text', () => {
    expect(countEncodedTokens('please print <|endoftext|> literally')).toBeGreaterThan(3)
  })

  it('counts nothing for empty text', () => {
    expect(countTokens('', anthropic)).toBe(0)
  })
})

describe('countEncodedTokens on adversarial text', () => {
  const exact = (text: string) => encoderCount(text, { disallowedSpecial: new Set() })
  // Each is one pre-token to the encoder, whose merges take time quadratic in its length.
  const runsOf = (length: number) => ({
    letters: 'a'.repeat(length),
    cjk: '中'.repeat(length),
    punctuation: '!'.repeat(length),
    spaces: ' '.repeat(length),
    'space-newline pairs': ' \n'.repeat(length / 2),
    'slash-newline pairs': '/\n'.repeat(length / 2),
    emoji: '😀'.repeat(length / 2),
    'punctuation then a letter': `${'!'.repeat(length - 1)}a`,
  })

  it('never hands the encoder a run longer than the limit', () => {
    for (const [name, text] of Object.entries(runsOf(100_000))) {
      const pieces: string[] = []
      countInSlices(text, (piece) => {
        pieces.push(piece)
        return exact(piece)
      })
      expect(pieces.join(''), name).toBe(text)
      expect(Math.max(...pieces.map((piece) => piece.length)), name).toBeLessThanOrEqual(
        MAX_ENCODED_RUN,
      )
    }
  })

  it('stays at or a little above the exact count', () => {
    for (const [name, text] of Object.entries(runsOf(4_000))) {
      const truth = exact(text)
      const counted = countEncodedTokens(text)
      expect(counted, name).toBeGreaterThanOrEqual(truth)
      expect(counted, name).toBeLessThanOrEqual(
        truth + 2 * Math.ceil(text.length / MAX_ENCODED_RUN),
      )
    }
  })

  it('never counts fewer tokens than the encoder on text mixing long and short runs', () => {
    const unit = fc.constantFrom('a', 'A', ' ', '\n', '!', '/', '中', '😀', 'é', '1', ' \n', "'s")
    const run = fc.tuple(unit, fc.integer({ min: 1, max: 700 })).map(([u, n]) => u.repeat(n))
    fc.assert(
      fc.property(fc.array(run, { minLength: 1, maxLength: 4 }), (runs) => {
        const text = runs.join('')
        expect(countEncodedTokens(text)).toBeGreaterThanOrEqual(exact(text))
      }),
      { numRuns: 100 },
    )
  })

  it('counts ordinary long text exactly', () => {
    const prose = 'Parley keeps every reply, even when a provider fails mid-way. '.repeat(400)
    const code = 'function add(a, b) {\n  return a + b // sums\n}\n\n'.repeat(300)
    expect(countEncodedTokens(prose)).toBe(exact(prose))
    expect(countEncodedTokens(code)).toBe(exact(code))
  })

  it('keeps the event loop responsive while counting 100k-character runs', async () => {
    const texts = Object.values(runsOf(100_000))
    const lagMs = await eventLoopLagDuring(() => {
      for (const text of texts) countEncodedTokens(text)
    })
    expect(lagMs).toBeLessThan(500)
  })
})
