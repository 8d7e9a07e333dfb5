import { describe, expect, it } from 'vitest'
import { CatalogError } from '../catalog/model-spec.ts'
import { createProviders } from './create-providers.ts'

const llama = {
  id: 'llama-local',
  upstreamModel: 'llama3.3',
  displayName: 'Llama 3.3 (local)',
  contextWindow: 128_000,
  maxOutputTokens: 8_000,
  inputUsdPerMTok: 0,
  outputUsdPerMTok: 0,
  cachedInputUsdPerMTok: 0,
  pricesEffectiveOn: '2026-11-22',
}

describe('createProviders', () => {
  it('falls back to the demo provider only when nothing is configured', () => {
    const none = createProviders({ openai: { apiKey: '  ' }, anthropic: { apiKey: '' } })
    expect(none.demoOnly).toBe(true)
    expect(none.configured).toEqual([])
    expect([...none.providers.keys()]).toEqual(['demo'])

    const some = createProviders({ anthropic: { apiKey: 'sk-ant' } })
    expect(some.demoOnly).toBe(false)
    expect([...some.providers.keys()]).toEqual(['anthropic'])
  })

  it('configures OpenAI from a base URL alone, for local servers without a key', () => {
    const setup = createProviders({ openai: { baseUrl: 'http://localhost:11434/v1' } })
    expect(setup.configured).toEqual(['openai'])
    expect(setup.providers.get('openai')?.kind).toBe('openai')
  })

  it('adds named compatible endpoints with their own explicitly priced models', () => {
    const setup = createProviders({
      compatible: [{ id: 'ollama', baseUrl: 'http://localhost:11434/v1', models: [llama] }],
    })
    expect(setup.configured).toEqual(['ollama'])
    expect(setup.models).toHaveLength(1)
    expect(setup.models[0]).toMatchObject({ id: 'llama-local', provider: 'ollama' })
    expect(setup.models[0]?.prices.inputMicroUsdPerMTok).toBe(0)
  })

  it('rejects a compatible model without a price', () => {
    const { cachedInputUsdPerMTok: _omitted, ...unpriced } = llama
    expect(() =>
      createProviders({
        compatible: [
          {
            id: 'ollama',
            baseUrl: 'http://localhost:11434/v1',
            models: [unpriced as typeof llama],
          },
        ],
      }),
    ).toThrow(/price is missing/)
  })

  it('rejects reserved, malformed or duplicate endpoint ids', () => {
    const endpoint = { baseUrl: 'http://x/v1', models: [] }
    expect(() => createProviders({ compatible: [{ ...endpoint, id: 'openai' }] })).toThrow(
      CatalogError,
    )
    expect(() => createProviders({ compatible: [{ ...endpoint, id: 'My Server' }] })).toThrow(
      CatalogError,
    )
    expect(() =>
      createProviders({
        compatible: [
          { ...endpoint, id: 'vllm' },
          { ...endpoint, id: 'vllm' },
        ],
      }),
    ).toThrow(/used twice/)
  })
})
