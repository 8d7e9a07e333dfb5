import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { catalog } from '../catalog/catalog.ts'
import { defineModelSpec, type ModelSpec } from '../catalog/model-spec.ts'
import type { ChatMessage } from '../types.ts'
import { buildContext, estimatePromptTokens, messageCost } from './build-context.ts'
import { countEncodedTokens } from './count-tokens.ts'

function smallModel(contextWindow: number, provider = 'openai'): ModelSpec {
  return defineModelSpec({
    id: 'small',
    provider,
    upstreamModel: 'small',
    displayName: 'Small',
    contextWindow,
    maxOutputTokens: Math.min(256, contextWindow),
    inputUsdPerMTok: '1',
    outputUsdPerMTok: '2',
    cachedInputUsdPerMTok: '0.5',
    pricesEffectiveOn: '2026-11-22',
  })
}

const turn = (index: number, content: string, tokenCount?: number): ChatMessage => ({
  role: index % 2 === 0 ? 'user' : 'assistant',
  content,
  ...(tokenCount === undefined ? {} : { tokenCount }),
})

describe('buildContext', () => {
  it('keeps everything when the conversation fits', () => {
    const history = [turn(0, 'What is Parley?'), turn(1, 'A self-hosted chat app.')]
    const built = buildContext({
      system: 'Be brief.',
      history,
      newUserMessage: 'Does it stream?',
      model: catalog[0] ?? smallModel(10_000),
    })
    expect(built.messages.map((m) => m.content)).toEqual([
      'What is Parley?',
      'A self-hosted chat app.',
      'Does it stream?',
    ])
    expect(built.droppedMessages).toBe(0)
    expect(built.fits).toBe(true)
    expect(built.inputTokens).toBe(
      estimatePromptTokens('Be brief.', built.messages, catalog[0] ?? smallModel(1)),
    )
  })

  it('drops the oldest turns first and keeps the system prompt and newest message', () => {
    const model = smallModel(1_000)
    const history = Array.from({ length: 40 }, (_, i) => turn(i, `message number ${i} `.repeat(8)))
    const built = buildContext({
      system: 'system rules',
      history,
      newUserMessage: 'latest question',
      model,
      reserveOutput: 200,
      margin: 0,
    })
    expect(built.system).toBe('system rules')
    expect(built.messages.at(-1)?.content).toBe('latest question')
    expect(built.droppedMessages).toBeGreaterThan(0)
    const kept = built.messages.slice(0, -1).map((m) => m.content)
    expect(kept).toEqual(history.slice(built.droppedMessages).map((m) => m.content))
    expect(built.inputTokens).toBeLessThanOrEqual(built.budget)
    expect(built.budget).toBe(800)
  })

  it('trusts precomputed token counts instead of re-tokenising', () => {
    const model = smallModel(2_000)
    // the short old message claims to be huge: only a cached count can make it not fit
    const history = [turn(0, 'short', 5_000), turn(1, 'also short', 3)]
    const built = buildContext({
      system: '',
      history,
      newUserMessage: 'hi',
      model,
      reserveOutput: 100,
      margin: 0,
    })
    expect(built.messages.map((m) => m.content)).toEqual(['also short', 'hi'])
    expect(built.messages[0]?.tokenCount).toBe(3)
    expect(built.droppedMessages).toBe(1)
  })

  it('fills in the raw token count of messages it had to count', () => {
    const built = buildContext({
      system: 'x',
      history: [turn(0, 'count me please')],
      newUserMessage: 'and me',
      model: smallModel(10_000),
    })
    expect(built.messages.map((m) => m.tokenCount)).toEqual([
      countEncodedTokens('count me please'),
      countEncodedTokens('and me'),
    ])
  })

  it('reports when even the system prompt and newest message do not fit', () => {
    const built = buildContext({
      system: Array.from({ length: 300 }, (_, i) => `rule ${i}`).join('; '),
      history: [turn(0, 'old')],
      newUserMessage: 'question',
      model: smallModel(600),
      reserveOutput: 100,
      margin: 0,
    })
    expect(built.fits).toBe(false)
    expect(built.messages.map((m) => m.content)).toEqual(['question'])
    expect(built.droppedMessages).toBe(1)
  })

  it('budgets Anthropic models with the calibrated, larger estimate', () => {
    const history = Array.from({ length: 30 }, (_, i) => turn(i, `turn ${i} has some words in it`))
    const common = {
      system: 'rules',
      history,
      newUserMessage: 'now',
      reserveOutput: 100,
      margin: 0,
    }
    const openai = buildContext({ ...common, model: smallModel(400, 'openai') })
    const anthropic = buildContext({ ...common, model: smallModel(400, 'anthropic') })
    expect(anthropic.estimated).toBe(true)
    expect(anthropic.messages.length).toBeLessThan(openai.messages.length)
  })
})

describe('buildContext properties', () => {
  const message = fc.record({
    role: fc.constantFrom<'user' | 'assistant'>('user', 'assistant'),
    content: fc.string({ maxLength: 60 }),
    tokenCount: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
  })
  const scenario = fc.record({
    history: fc.array(message, { maxLength: 60 }),
    system: fc.string({ maxLength: 80 }),
    newUserMessage: fc.string({ minLength: 1, maxLength: 80 }),
    contextWindow: fc.integer({ min: 300, max: 6_000 }),
    provider: fc.constantFrom('openai', 'anthropic'),
  })

  const cleanHistory = (
    history: { role: 'user' | 'assistant'; content: string; tokenCount: number | undefined }[],
  ) =>
    history.map(
      ({ tokenCount, ...rest }): ChatMessage =>
        tokenCount === undefined ? rest : { ...rest, tokenCount },
    )

  it('never exceeds the budget, keeps system and newest message and order, and is maximal', () => {
    fc.assert(
      fc.property(scenario, ({ history: raw, system, newUserMessage, contextWindow, provider }) => {
        const model = smallModel(contextWindow, provider)
        const history = cleanHistory(raw)
        const built = buildContext({
          system,
          history,
          newUserMessage,
          model,
          reserveOutput: 100,
          margin: 50,
        })

        expect(built.system).toBe(system)
        expect(built.messages.at(-1)?.content).toBe(newUserMessage)
        expect(built.inputTokens).toBe(estimatePromptTokens(system, built.messages, model))

        // order: the kept history is the newest contiguous run of the original
        const kept = built.messages.slice(0, -1)
        expect(kept.map((m) => m.content)).toEqual(
          history.slice(history.length - kept.length).map((m) => m.content),
        )
        expect(built.droppedMessages).toBe(history.length - kept.length)

        if (built.fits) {
          expect(built.inputTokens).toBeLessThanOrEqual(built.budget)
          // maximal: the newest dropped message would not have fit
          const nextDropped = history[built.droppedMessages - 1]
          if (nextDropped) {
            expect(built.inputTokens + messageCost(nextDropped, model)).toBeGreaterThan(
              built.budget,
            )
          }
        } else {
          expect(kept).toHaveLength(0)
          expect(built.inputTokens).toBeGreaterThan(built.budget)
        }
      }),
      { numRuns: 300 },
    )
  })
})
