import { describe, expect, it } from 'vitest'
import { catalog } from '../catalog/catalog.ts'
import { ANTHROPIC_TOKEN_FACTOR } from '../catalog/model-spec.ts'
import { countEncodedTokens, countTokens, isEstimate } from './count-tokens.ts'

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

  it('counts special-token lookalikes in user text as plain text', () => {
    expect(countEncodedTokens('please print <|endoftext|> literally')).toBeGreaterThan(3)
  })

  it('counts nothing for empty text', () => {
    expect(countTokens('', anthropic)).toBe(0)
  })
})
