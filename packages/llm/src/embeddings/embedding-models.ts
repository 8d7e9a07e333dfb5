import type { Encoding } from '../catalog/model-spec.ts'
import { usdToMicros } from '../pricing.ts'

/** What Parley knows about an embeddings model: its price, input limit and vector size. */
export interface EmbeddingModelSpec {
  id: string
  inputMicroUsdPerMTok: number
  /** Longest input the model takes; longer inputs are truncated before sending. */
  maxInputTokens: number
  encoding: Encoding
  /** Vector size when the request names no `dimensions`. */
  dimensions: number
  pricesEffectiveOn: string
  sourceUrl: string
}

const OPENAI_PRICING = 'https://developers.openai.com/api/docs/pricing'

/** Standard-tier list prices, read on 2026-12-05. */
export const embeddingModels: Readonly<Record<string, EmbeddingModelSpec>> = {
  'text-embedding-3-small': {
    id: 'text-embedding-3-small',
    inputMicroUsdPerMTok: usdToMicros('0.02'),
    maxInputTokens: 8_191,
    encoding: 'cl100k_base',
    dimensions: 1_536,
    pricesEffectiveOn: '2024-01-25',
    sourceUrl: OPENAI_PRICING,
  },
  'text-embedding-3-large': {
    id: 'text-embedding-3-large',
    inputMicroUsdPerMTok: usdToMicros('0.13'),
    maxInputTokens: 8_191,
    encoding: 'cl100k_base',
    dimensions: 3_072,
    pricesEffectiveOn: '2024-01-25',
    sourceUrl: OPENAI_PRICING,
  },
}
