import { describe, expect, it } from 'vitest'
import { defineModelSpec, type ModelSpec } from '../catalog/model-spec.ts'
import { createOpenAIProvider } from '../providers/openai/openai-provider.ts'
import type { ChatProvider } from '../types.ts'
import { type Candidate, planCandidates, type RoutingTable } from './candidate-plan.ts'
import type { RouterRequest } from './router-request.ts'

const spec = (id: string, extra: Partial<Parameters<typeof defineModelSpec>[0]> = {}): ModelSpec =>
  defineModelSpec({
    id,
    provider: 'openai',
    upstreamModel: `${id}-upstream`,
    displayName: id,
    contextWindow: 100_000,
    maxOutputTokens: 4_000,
    inputUsdPerMTok: '1',
    outputUsdPerMTok: '1',
    cachedInputUsdPerMTok: '1',
    pricesEffectiveOn: '2026-11-22',
    ...extra,
  })

const main = spec('main')
const backup = spec('backup')
const tiny = spec('tiny', { contextWindow: 1_000, maxOutputTokens: 200 })
const quick = spec('quick', { capabilities: { fast: true } })
const elsewhere = spec('elsewhere', { provider: 'absent' })

/** Planning never calls a provider, so this one points nowhere. */
const openai: ChatProvider = createOpenAIProvider({ baseUrl: 'http://127.0.0.1:9/v1' })

function table(fallbacks: RoutingTable['fallbacks'] = {}): RoutingTable {
  const models = [main, backup, tiny, quick, elsewhere]
  return {
    providers: new Map([['openai', openai]]),
    models,
    byId: new Map(models.map((m) => [m.id, m])),
    defaultSpec: main,
    fallbacks,
    auto: {},
  }
}

const ask = (model: string | undefined, content = 'Hello there'): RouterRequest => ({
  ...(model === undefined ? {} : { model }),
  system: 'Be brief.',
  messages: [{ role: 'user', content }],
})

const summary = (candidates: Iterable<Candidate>) =>
  [...candidates].map((c) => `${c.spec.id}:${c.kind === 'ready' ? 'ready' : c.outcome}`)

describe('planCandidates', () => {
  it('uses the default model when the request names none', () => {
    const plan = planCandidates(table(), ask(undefined))
    expect(plan.chosen).toBe(main)
    expect(plan.autoReasons).toBeNull()
    expect(summary(plan.candidates)).toEqual(['main:ready'])
  })

  it('rejects a model that is not available, before anything is tried', () => {
    expect(() => planCandidates(table(), ask('gpt-0'))).toThrowError(
      expect.objectContaining({ code: 'unknown_model', retryable: false }),
    )
  })

  it('lets auto pick the fast model for a short simple turn, and says why', () => {
    const plan = planCandidates(table(), ask('auto', 'What time is it in Lisbon?'))
    expect(plan.chosen).toBe(quick)
    expect(plan.autoReasons).toEqual(['short simple turn'])
  })

  it('follows the chosen model with its fallbacks, once each, ignoring unknown ones', () => {
    const plan = planCandidates(
      table({ main: ['backup', 'main', 'retired', 'backup'] }),
      ask('main'),
    )
    expect(summary(plan.candidates)).toEqual(['main:ready', 'backup:ready'])
  })

  it('skips a model whose provider is not configured', () => {
    const plan = planCandidates(table({ elsewhere: ['main'] }), ask('elsewhere'))
    const [skipped] = plan.candidates
    expect(skipped).toMatchObject({ kind: 'skipped', outcome: 'unavailable' })
    expect(summary(plan.candidates)).toEqual(['elsewhere:unavailable', 'main:ready'])
  })

  it('skips a model too small for the prompt and the reply, for a larger fallback', () => {
    const long = Array.from({ length: 600 }, (_, i) => `fact ${i}`).join(', ')
    const plan = planCandidates(table({ tiny: ['main'] }), ask('tiny', long))
    const [skipped, ready] = plan.candidates
    expect(skipped).toMatchObject({
      outcome: 'context_too_long',
      error: { code: 'context_length_exceeded', retryable: false },
    })
    expect(ready?.kind === 'ready' && ready.promptTokens).toBeGreaterThan(1_000)
  })

  it("caps the reply at the model's limit and sends temperature only where accepted", () => {
    const warm = spec('warm', { capabilities: { temperature: true } })
    const cold = spec('cold', { capabilities: { temperature: false } })
    const routes: RoutingTable = {
      ...table({ warm: ['cold'] }),
      byId: new Map([warm, cold].map((m) => [m.id, m])),
    }
    const request = { ...ask('warm'), maxOutputTokens: 9_000, temperature: 0.4 }
    const plan = planCandidates(routes, request)
    const sent = [...plan.candidates].map((c) => (c.kind === 'ready' ? c.request : null))
    const common = { messages: request.messages, maxOutputTokens: 4_000, system: 'Be brief.' }
    expect(sent).toEqual([
      { model: 'warm-upstream', ...common, temperature: 0.4 },
      { model: 'cold-upstream', ...common },
    ])
  })
})
