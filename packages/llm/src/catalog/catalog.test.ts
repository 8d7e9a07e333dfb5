import { describe, expect, it } from 'vitest'
import { availableModels, defaultModel } from './availability.ts'
import { catalog, defaultFallbacks, demoModel } from './catalog.ts'
import {
  CatalogError,
  defineModelSpec,
  type ModelConfigRow,
  type ModelSpecInput,
  specFromRow,
  specsFromRows,
  specToRow,
} from './model-spec.ts'

const validInput: ModelSpecInput = {
  id: 'local-llama',
  provider: 'ollama',
  upstreamModel: 'llama3.3:70b',
  displayName: 'Llama 3.3 70B',
  contextWindow: 128_000,
  maxOutputTokens: 8_000,
  inputUsdPerMTok: '0.30',
  outputUsdPerMTok: '0.60',
  cachedInputUsdPerMTok: '0.30',
  pricesEffectiveOn: '2026-11-01',
}

function withoutField(input: ModelSpecInput, field: keyof ModelSpecInput): ModelSpecInput {
  const copy: Record<string, unknown> = { ...input }
  delete copy[field]
  return copy as ModelSpecInput
}

describe('the built-in catalog', () => {
  it('prices every OpenAI and Anthropic model above zero with a dated, published source', () => {
    const real = catalog.filter((spec) => spec.provider !== 'demo')
    expect(real.map((spec) => spec.provider).sort()).toContain('openai')
    expect(real.map((spec) => spec.provider).sort()).toContain('anthropic')
    for (const spec of real) {
      expect(spec.prices.inputMicroUsdPerMTok, spec.id).toBeGreaterThan(0)
      expect(spec.prices.outputMicroUsdPerMTok, spec.id).toBeGreaterThan(0)
      expect(spec.prices.cachedInputMicroUsdPerMTok, spec.id).toBeGreaterThan(0)
      expect(spec.pricesEffectiveOn, spec.id).toMatch(/^2026-\d\d-\d\d$/)
      expect(spec.sourceUrl, spec.id).toMatch(
        /^https:\/\/(developers\.openai\.com|platform\.claude\.com)\//,
      )
    }
  })

  it('has unique ids and exactly one default model', () => {
    const ids = catalog.map((spec) => spec.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(catalog.filter((spec) => spec.isDefault)).toHaveLength(1)
  })

  it('includes the demo model with explicit zero prices', () => {
    expect(catalog).toContain(demoModel)
    expect(demoModel.provider).toBe('demo')
    expect(demoModel.prices).toEqual({
      inputMicroUsdPerMTok: 0,
      outputMicroUsdPerMTok: 0,
      cachedInputMicroUsdPerMTok: 0,
    })
  })

  it('names only catalog models in its fallback chains, each on another provider', () => {
    for (const [from, targets] of Object.entries(defaultFallbacks)) {
      const source = catalog.find((spec) => spec.id === from)
      expect(source, from).toBeDefined()
      for (const target of targets) {
        const spec = catalog.find((candidate) => candidate.id === target)
        expect(spec, target).toBeDefined()
        expect(spec?.provider).not.toBe(source?.provider)
      }
    }
  })

  it('survives a round trip through a model_configs row', () => {
    for (const spec of catalog) {
      expect(specFromRow(specToRow(spec))).toEqual({ ...spec, sourceUrl: null })
    }
  })
})

describe('model spec validation', () => {
  it('rejects an entry without a price instead of treating it as free', () => {
    expect(() => defineModelSpec(withoutField(validInput, 'cachedInputUsdPerMTok'))).toThrow(
      /cachedInputUsdPerMTok: price is missing/,
    )
    expect(() => defineModelSpec(withoutField(validInput, 'outputUsdPerMTok'))).toThrow(
      CatalogError,
    )
  })

  it('rejects a database row whose price was cleared', () => {
    const row: ModelConfigRow = { ...specToRow(defineModelSpec(validInput)), inputUsdPerMtok: null }
    expect(() => specFromRow(row)).toThrow(/inputUsdPerMTok: price is missing/)
  })

  it('rejects negative, malformed or inconsistent prices and limits', () => {
    expect(() => defineModelSpec({ ...validInput, inputUsdPerMTok: '-0.10' })).toThrow(CatalogError)
    expect(() => defineModelSpec({ ...validInput, inputUsdPerMTok: 'free' })).toThrow(CatalogError)
    expect(() => defineModelSpec({ ...validInput, cachedInputUsdPerMTok: '0.31' })).toThrow(
      /cached input must not cost more than input/,
    )
    expect(() => defineModelSpec({ ...validInput, maxOutputTokens: 200_000 })).toThrow(
      /maxOutputTokens/,
    )
    expect(() => defineModelSpec({ ...validInput, id: 'auto' })).toThrow(/reserved/)
    expect(() => defineModelSpec({ ...validInput, pricesEffectiveOn: 'last week' })).toThrow(
      CatalogError,
    )
  })

  it('accepts a zero price when it is written out', () => {
    const spec = defineModelSpec({
      ...validInput,
      inputUsdPerMTok: 0,
      outputUsdPerMTok: '0',
      cachedInputUsdPerMTok: '0.000',
    })
    expect(spec.prices.inputMicroUsdPerMTok).toBe(0)
  })

  it('keeps the good rows and reports the bad ones', () => {
    const good = specToRow(catalog[0] ?? demoModel)
    const bad: ModelConfigRow = { ...good, id: 'broken', outputUsdPerMtok: null }
    const { specs, rejected } = specsFromRows([good, bad])
    expect(specs.map((spec) => spec.id)).toEqual([good.id])
    expect(rejected).toEqual([{ id: 'broken', error: expect.stringMatching(/price is missing/) }])
  })
})

describe('availableModels', () => {
  it('offers only the demo model when no real provider is configured', () => {
    expect(availableModels(catalog, [])).toEqual([demoModel])
    expect(availableModels(catalog, ['demo'])).toEqual([demoModel])
  })

  it('offers the configured providers enabled models and never the demo', () => {
    const models = availableModels(catalog, ['anthropic'])
    expect(models.length).toBeGreaterThan(0)
    expect(models.every((spec) => spec.provider === 'anthropic')).toBe(true)
    const disabled = catalog.map((spec) =>
      spec.id === 'claude-opus-5-5' ? { ...spec, enabled: false } : spec,
    )
    expect(availableModels(disabled, ['anthropic']).map((spec) => spec.id)).not.toContain(
      'claude-opus-5-5',
    )
  })

  it('defaults to the marked default model, or the first available one', () => {
    expect(defaultModel(availableModels(catalog, ['openai', 'anthropic']))?.id).toBe(
      'gpt-6.1-terra',
    )
    expect(defaultModel(availableModels(catalog, ['anthropic']))?.id).toBe('claude-sonnet-5-5')
  })
})
