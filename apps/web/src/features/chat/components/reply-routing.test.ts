import type { Message, ModelList } from '@parley/schema/contracts'
import { describe, expect, it } from 'vitest'
import { modelLabel } from './model-picker.tsx'
import { routingNote } from './reply-routing.tsx'

const summary = (id: string, displayName: string) => ({
  id,
  provider: 'openai',
  displayName,
  contextWindow: 400_000,
  maxOutputTokens: 32_000,
  inputUsdPerMtok: 1.25,
  outputUsdPerMtok: 10,
  cachedInputUsdPerMtok: 0.125,
  capabilities: {},
  isDefault: false,
})
const models: ModelList = {
  items: [summary('fast', 'Fast One'), summary('strong', 'Strong One')],
  defaultModelId: 'fast',
  demoOnly: false,
}
const reply = (model: string, metadata: Record<string, unknown>) =>
  ({ model, metadata }) as unknown as Message

describe('how a reply says which model answered', () => {
  it('names the fallback and the reason the chosen model did not answer', () => {
    expect(
      routingNote(
        reply('strong', { fallbackFrom: 'fast', fallbackReason: 'rate_limited' }),
        models,
      ),
    ).toBe('Answered by Strong One because Fast One was rate limited.')
    expect(
      routingNote(reply('strong', { fallbackFrom: 'fast', fallbackReason: 'timeout' }), models),
    ).toBe('Answered by Strong One because Fast One did not answer in time.')
  })

  it('says "unavailable" for a reason it does not know, and ids for models it does not know', () => {
    expect(
      routingNote(reply('other', { fallbackFrom: 'gone', fallbackReason: 'new' }), models),
    ).toBe('Answered by other because gone was unavailable.')
  })

  it('says why auto chose a model, and nothing for a reply from the model asked for', () => {
    expect(routingNote(reply('strong', { autoReasons: ['code', 'long message'] }), models)).toBe(
      'Auto chose Strong One: code, long message.',
    )
    expect(routingNote(reply('fast', {}), models)).toBeNull()
  })

  it('lists a model with its context window and prices', () => {
    expect(modelLabel(summary('fast', 'Fast One'))).toBe(
      'Fast One · 400K context · $1.25/$10 per M tokens',
    )
    expect(modelLabel({ ...summary('big', 'Big'), contextWindow: 1_048_576 })).toContain(
      '1M context',
    )
  })
})
