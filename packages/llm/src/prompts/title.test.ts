import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { availableModels } from '../catalog/availability.ts'
import { catalog } from '../catalog/catalog.ts'
import { createProviders } from '../providers/create-providers.ts'
import { createRouter } from '../router/router.ts'
import { type FakeUpstream, startFakeUpstream } from '../testing/fake-upstream.ts'
import { generateTitle } from './title.ts'

let fake: FakeUpstream
beforeAll(async () => {
  fake = await startFakeUpstream()
})
afterAll(async () => {
  await fake.close()
})

describe('generateTitle', () => {
  it('asks a fast model with the title template and cleans its answer', async () => {
    const setup = createProviders({ openai: { apiKey: 'sk', baseUrl: fake.openaiBaseUrl } })
    const router = createRouter({
      providers: setup.providers,
      models: availableModels(catalog, setup.configured),
    })
    fake.enqueue(
      { kind: 'text', text: '"Weekend Trip to Lisbon."' },
      { model: 'gpt-6-luna', lastUserMessageIncludes: 'Plan me a weekend in Lisbon' },
    )

    const { title, report } = await generateTitle({
      router,
      userMessage: 'Plan me a weekend in Lisbon',
      assistantReply: 'Day one: Alfama...',
      signal: new AbortController().signal,
    })

    expect(title).toBe('Weekend Trip to Lisbon')
    expect(report?.model).toBe('gpt-6-luna')
    expect(report?.prompt).toEqual({ name: 'conversation.title', version: '1' })
    const sent =
      fake.requestsFor({ lastUserMessageIncludes: 'Plan me a weekend in Lisbon' })[0]
        ?.lastUserMessage ?? ''
    expect(sent).toContain('Plan me a weekend in Lisbon')
    expect(sent).toContain('at most 6 words')
  })

  it('uses the heuristic, without a model call, in demo mode', async () => {
    const setup = createProviders({})
    const router = createRouter({
      providers: setup.providers,
      models: availableModels(catalog, setup.configured),
    })
    const { title, report } = await generateTitle({
      router,
      userMessage: 'Explain vector clocks with an example please',
      assistantReply: 'demo',
      signal: new AbortController().signal,
    })
    expect(title).toBe('Explain vector clocks with an example')
    expect(report).toBeNull()
  })

  it('falls back to the heuristic when the model call fails', async () => {
    const setup = createProviders({ openai: { apiKey: 'sk', baseUrl: fake.openaiBaseUrl } })
    const router = createRouter({
      providers: setup.providers,
      models: availableModels(catalog, setup.configured),
      retry: { maxAttempts: 1 },
    })
    fake.enqueue({ kind: 'status', status: 500 }, { lastUserMessageIncludes: 'team offsite' })
    const { title, report } = await generateTitle({
      router,
      userMessage: 'Budget for a team offsite',
      assistantReply: '...',
      signal: new AbortController().signal,
    })
    expect(title).toBe('Budget for a team offsite')
    expect(report?.status).toBe('error')
  })
})
