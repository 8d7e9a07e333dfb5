import { defineModelSpec, type ModelSpec, type ModelSpecInput } from './model-spec.ts'

/** Bump when any entry below changes; the seeder can record which catalog a database holds. */
export const CATALOG_VERSION = '2026-11-22'

const OPENAI_PRICING = 'https://developers.openai.com/api/docs/pricing'
const ANTHROPIC_PRICING = 'https://platform.claude.com/docs/en/about-claude/pricing'

/*
 * Standard-tier list prices, read on 2026-11-22. GPT-6 models bill a whole request at a higher
 * rate above 272K input tokens and Claude Haiku 5.5 above 100K, so their context windows are
 * capped at those thresholds: one flat price per model is then always the right price.
 */
const entries: ModelSpecInput[] = [
  {
    id: 'gpt-6.1-terra',
    provider: 'openai',
    upstreamModel: 'gpt-6.1-terra',
    displayName: 'GPT-6.1 Terra',
    contextWindow: 272_000,
    maxOutputTokens: 128_000,
    inputUsdPerMTok: '1.00',
    outputUsdPerMTok: '5.00',
    cachedInputUsdPerMTok: '0.05',
    capabilities: { vision: true, reasoning: true, temperature: false },
    isDefault: true,
    sortOrder: 10,
    pricesEffectiveOn: '2026-10-26',
    sourceUrl: OPENAI_PRICING,
  },
  {
    id: 'claude-sonnet-5-5',
    provider: 'anthropic',
    upstreamModel: 'claude-sonnet-5-5',
    displayName: 'Claude Sonnet 5.5',
    contextWindow: 1_000_000,
    maxOutputTokens: 128_000,
    inputUsdPerMTok: '2.00',
    outputUsdPerMTok: '10.00',
    cachedInputUsdPerMTok: '0.10',
    capabilities: { vision: true, reasoning: true, temperature: false },
    sortOrder: 20,
    pricesEffectiveOn: '2026-10-07',
    sourceUrl: ANTHROPIC_PRICING,
  },
  {
    id: 'gpt-6.1-sol',
    provider: 'openai',
    upstreamModel: 'gpt-6.1-sol',
    displayName: 'GPT-6.1 Sol',
    contextWindow: 272_000,
    maxOutputTokens: 128_000,
    inputUsdPerMTok: '2.00',
    outputUsdPerMTok: '10.00',
    cachedInputUsdPerMTok: '0.10',
    capabilities: { vision: true, reasoning: true, temperature: false, strong: true },
    sortOrder: 30,
    pricesEffectiveOn: '2026-09-29',
    sourceUrl: OPENAI_PRICING,
  },
  {
    id: 'claude-opus-5-5',
    provider: 'anthropic',
    upstreamModel: 'claude-opus-5-5',
    displayName: 'Claude Opus 5.5',
    contextWindow: 1_000_000,
    maxOutputTokens: 128_000,
    inputUsdPerMTok: '4.00',
    outputUsdPerMTok: '20.00',
    cachedInputUsdPerMTok: '0.20',
    capabilities: { vision: true, reasoning: true, temperature: false, strong: true },
    sortOrder: 40,
    pricesEffectiveOn: '2026-09-22',
    sourceUrl: ANTHROPIC_PRICING,
  },
  {
    id: 'gpt-6-luna',
    provider: 'openai',
    upstreamModel: 'gpt-6-luna',
    displayName: 'GPT-6 Luna',
    contextWindow: 272_000,
    maxOutputTokens: 128_000,
    inputUsdPerMTok: '0.10',
    outputUsdPerMTok: '0.50',
    cachedInputUsdPerMTok: '0.01',
    capabilities: { vision: true, reasoning: true, temperature: false, fast: true },
    sortOrder: 50,
    pricesEffectiveOn: '2026-09-22',
    sourceUrl: OPENAI_PRICING,
  },
  {
    id: 'claude-haiku-5-5',
    provider: 'anthropic',
    upstreamModel: 'claude-haiku-5-5',
    displayName: 'Claude Haiku 5.5',
    // prompts over 100,000 tokens bill at 5x; the window caps prompt + output below that band
    contextWindow: 100_000,
    maxOutputTokens: 32_000,
    inputUsdPerMTok: '0.10',
    outputUsdPerMTok: '0.50',
    cachedInputUsdPerMTok: '0.01',
    capabilities: { vision: true, reasoning: true, temperature: false, fast: true },
    sortOrder: 60,
    pricesEffectiveOn: '2026-10-07',
    sourceUrl: ANTHROPIC_PRICING,
  },
  {
    id: 'gpt-6-astra',
    provider: 'openai',
    upstreamModel: 'gpt-6-astra',
    displayName: 'GPT-6 Astra',
    contextWindow: 272_000,
    maxOutputTokens: 128_000,
    inputUsdPerMTok: '10.00',
    outputUsdPerMTok: '50.00',
    cachedInputUsdPerMTok: '1.00',
    capabilities: { vision: true, reasoning: true, temperature: false },
    sortOrder: 70,
    pricesEffectiveOn: '2026-09-03',
    sourceUrl: OPENAI_PRICING,
  },
  {
    id: 'claude-fable-5-2',
    provider: 'anthropic',
    upstreamModel: 'claude-fable-5-2',
    displayName: 'Claude Fable 5.2',
    contextWindow: 1_000_000,
    maxOutputTokens: 128_000,
    inputUsdPerMTok: '8.00',
    outputUsdPerMTok: '40.00',
    cachedInputUsdPerMTok: '0.20',
    capabilities: { vision: true, reasoning: true, temperature: false },
    sortOrder: 80,
    pricesEffectiveOn: '2026-11-09',
    sourceUrl: ANTHROPIC_PRICING,
  },
]

/** The offline model used only when no real provider is configured. Its prices are an explicit zero. */
export const demoModel: ModelSpec = defineModelSpec({
  id: 'demo',
  provider: 'demo',
  upstreamModel: 'parley-demo',
  displayName: 'Demo (offline)',
  contextWindow: 32_000,
  maxOutputTokens: 1_000,
  inputUsdPerMTok: '0',
  outputUsdPerMTok: '0',
  cachedInputUsdPerMTok: '0',
  capabilities: { fast: true, strong: true },
  sortOrder: 1_000,
  pricesEffectiveOn: '2026-11-22',
  sourceUrl: null,
})

/**
 * The built-in catalog, validated at load: an entry with a missing or malformed price throws here,
 * when the module is imported, not on the first bill. Seeds `model_configs`.
 */
export const catalog: readonly ModelSpec[] = Object.freeze([
  ...entries.map((entry) => defineModelSpec(entry)),
  demoModel,
])

/** Same-tier cross-provider fallbacks; the router drops targets that are not available. */
export const defaultFallbacks: Readonly<Record<string, readonly string[]>> = {
  'gpt-6.1-terra': ['claude-sonnet-5-5'],
  'claude-sonnet-5-5': ['gpt-6.1-terra'],
  'gpt-6.1-sol': ['claude-opus-5-5'],
  'claude-opus-5-5': ['gpt-6.1-sol'],
  'gpt-6-luna': ['claude-haiku-5-5'],
  'claude-haiku-5-5': ['gpt-6-luna'],
  'gpt-6-astra': ['claude-fable-5-2'],
  'claude-fable-5-2': ['gpt-6-astra'],
}
