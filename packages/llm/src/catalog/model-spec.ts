import { z } from 'zod'
import { usdToMicros } from '../pricing.ts'

export type Encoding = 'o200k_base' | 'cl100k_base'

/** How to estimate a model's token counts: a `gpt-tokenizer` encoding times a calibration factor. */
export interface TokenizerSpec {
  encoding: Encoding
  /** 1 for models that use the encoding itself; >1 when the model's own tokenizer is known to emit more tokens. */
  factor: number
}

/** What a model can do, stored as the `capabilities` jsonb of `model_configs`. */
export interface ModelCapabilities {
  streaming: boolean
  vision: boolean
  /** Spends hidden reasoning tokens before answering. */
  reasoning: boolean
  /** Accepts sampling parameters such as `temperature`. */
  temperature: boolean
  /** Cheap and quick: what `auto` picks for short simple turns and what titles use. */
  fast: boolean
  /** What `auto` picks for long, code-heavy or reasoning-heavy turns. */
  strong: boolean
}

/** Prices in integer micro-dollars (1e-6 USD) per million tokens, so cost arithmetic is exact. */
export interface ModelPrices {
  inputMicroUsdPerMTok: number
  outputMicroUsdPerMTok: number
  cachedInputMicroUsdPerMTok: number
}

export interface ModelSpec {
  /** Public model id used by the API and the web app. */
  id: string
  /** Provider id: `openai`, `anthropic`, `demo` or a configured compatible endpoint's id. */
  provider: string
  upstreamModel: string
  displayName: string
  /** Tokens (prompt + output) Parley lets one request use; may be below the published window. */
  contextWindow: number
  maxOutputTokens: number
  prices: ModelPrices
  capabilities: ModelCapabilities
  tokenizer: TokenizerSpec
  enabled: boolean
  isDefault: boolean
  sortOrder: number
  /** ISO date (YYYY-MM-DD) from which the prices apply. */
  pricesEffectiveOn: string
  /** Where the prices were published; null for specs built from database rows or local endpoints. */
  sourceUrl: string | null
}

/**
 * Anthropic does not publish its tokenizer. Claude 3-era tokenizers emitted about 16% more tokens
 * than o200k on English prose; Claude 4.7 and later emit up to 35% more again (Anthropic's
 * migration notes). 1.16 x 1.3 ~ 1.5, rounded up so budgets err on the safe side.
 */
export const ANTHROPIC_TOKEN_FACTOR = 1.5

export function defaultTokenizer(provider: string): TokenizerSpec {
  return provider === 'anthropic'
    ? { encoding: 'o200k_base', factor: ANTHROPIC_TOKEN_FACTOR }
    : { encoding: 'o200k_base', factor: 1 }
}

const defaultCapabilities: ModelCapabilities = {
  streaming: true,
  vision: false,
  reasoning: false,
  temperature: true,
  fast: false,
  strong: false,
}

export const modelIdPattern = /^[a-z0-9][a-z0-9._:-]{0,63}$/

const usdPrice = z
  .union([z.number(), z.string()], {
    error: (issue) => (issue.input === undefined ? 'price is missing' : 'price must be a number'),
  })
  .transform((value, ctx) => {
    try {
      return usdToMicros(value)
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message })
      return z.NEVER
    }
  })

const isoDate = z.iso.date()

/** A model spec as written by hand (catalog data, compatible endpoint config): prices in USD per million tokens. */
export const modelSpecInput = z
  .object({
    id: z
      .string()
      .regex(modelIdPattern, 'id must be lowercase letters, digits and . _ : -')
      .refine((id) => id !== 'auto', '"auto" is reserved for routing'),
    provider: z.string().min(1).max(64),
    upstreamModel: z.string().min(1).max(200),
    displayName: z.string().min(1).max(100),
    contextWindow: z.number().int().positive(),
    maxOutputTokens: z.number().int().positive(),
    inputUsdPerMTok: usdPrice,
    outputUsdPerMTok: usdPrice,
    cachedInputUsdPerMTok: usdPrice,
    capabilities: z.record(z.string(), z.boolean()).optional(),
    tokenizer: z
      .object({
        encoding: z.enum(['o200k_base', 'cl100k_base']),
        factor: z.number().min(0.5).max(4),
      })
      .optional(),
    enabled: z.boolean().optional(),
    isDefault: z.boolean().optional(),
    sortOrder: z.number().int().optional(),
    pricesEffectiveOn: isoDate,
    sourceUrl: z.url().nullable().optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.maxOutputTokens > spec.contextWindow) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxOutputTokens'],
        message: 'maxOutputTokens must not exceed contextWindow',
      })
    }
    if (spec.cachedInputUsdPerMTok > spec.inputUsdPerMTok) {
      ctx.addIssue({
        code: 'custom',
        path: ['cachedInputUsdPerMTok'],
        message: 'cached input must not cost more than input',
      })
    }
  })

export type ModelSpecInput = z.input<typeof modelSpecInput>

export class CatalogError extends Error {
  override readonly name = 'CatalogError'
  readonly modelId: string | undefined

  constructor(message: string, modelId?: string) {
    super(message)
    this.modelId = modelId
  }
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(spec)'}: ${issue.message}`)
    .join('; ')
}

/** Validates one hand-written spec. A missing, negative or malformed price is an error, never zero. */
export function defineModelSpec(input: ModelSpecInput): ModelSpec {
  return parseModelSpec(input)
}

/** Validates untrusted input (a config file, a database row) into a spec or throws `CatalogError`. */
export function parseModelSpec(input: unknown): ModelSpec {
  const parsed = modelSpecInput.safeParse(input)
  const id =
    typeof input === 'object' && input !== null && 'id' in input ? String(input.id) : undefined
  if (!parsed.success) {
    throw new CatalogError(
      `invalid model spec ${id ?? '(no id)'}: ${formatIssues(parsed.error)}`,
      id,
    )
  }
  const spec = parsed.data
  return {
    id: spec.id,
    provider: spec.provider,
    upstreamModel: spec.upstreamModel,
    displayName: spec.displayName,
    contextWindow: spec.contextWindow,
    maxOutputTokens: spec.maxOutputTokens,
    prices: {
      inputMicroUsdPerMTok: spec.inputUsdPerMTok,
      outputMicroUsdPerMTok: spec.outputUsdPerMTok,
      cachedInputMicroUsdPerMTok: spec.cachedInputUsdPerMTok,
    },
    capabilities: { ...defaultCapabilities, ...spec.capabilities },
    tokenizer: spec.tokenizer ?? defaultTokenizer(spec.provider),
    enabled: spec.enabled ?? true,
    isDefault: spec.isDefault ?? false,
    sortOrder: spec.sortOrder ?? 0,
    pricesEffectiveOn: spec.pricesEffectiveOn,
    sourceUrl: spec.sourceUrl ?? null,
  }
}

/**
 * One `model_configs` row as Drizzle returns it (camelCase). Prices arrive as numbers or, from some
 * drivers, decimal strings; null means someone cleared the price, which is rejected.
 */
export interface ModelConfigRow {
  id: string
  provider: string
  upstreamModel: string
  displayName: string
  contextWindow: number
  maxOutputTokens: number
  inputUsdPerMtok: number | string | null
  outputUsdPerMtok: number | string | null
  cachedInputUsdPerMtok: number | string | null
  pricesEffectiveOn: string
  capabilities: Record<string, boolean>
  enabled: boolean
  isDefault: boolean
  sortOrder?: number
}

/** Builds a validated spec from a database row (an admin may have changed prices or disabled it). */
export function specFromRow(row: ModelConfigRow): ModelSpec {
  return parseModelSpec({
    id: row.id,
    provider: row.provider,
    upstreamModel: row.upstreamModel,
    displayName: row.displayName,
    contextWindow: row.contextWindow,
    maxOutputTokens: row.maxOutputTokens,
    // a cleared price becomes "price is missing", never zero
    inputUsdPerMTok: row.inputUsdPerMtok ?? undefined,
    outputUsdPerMTok: row.outputUsdPerMtok ?? undefined,
    cachedInputUsdPerMTok: row.cachedInputUsdPerMtok ?? undefined,
    capabilities: row.capabilities,
    enabled: row.enabled,
    isDefault: row.isDefault,
    sortOrder: row.sortOrder ?? 0,
    pricesEffectiveOn: row.pricesEffectiveOn,
  })
}

export interface RowsToSpecs {
  specs: ModelSpec[]
  /** Rows that failed validation, with the reason; the API should log them and leave them out. */
  rejected: { id: string; error: string }[]
}

/** Validates every row; one bad row is reported instead of taking the whole catalog down. */
export function specsFromRows(rows: readonly ModelConfigRow[]): RowsToSpecs {
  const specs: ModelSpec[] = []
  const rejected: RowsToSpecs['rejected'] = []
  for (const row of rows) {
    try {
      specs.push(specFromRow(row))
    } catch (error) {
      rejected.push({ id: row.id, error: (error as Error).message })
    }
  }
  return { specs, rejected }
}

/** The `model_configs` row that seeds the database from a spec (prices in USD per million tokens). */
export function specToRow(spec: ModelSpec): Required<ModelConfigRow> & {
  inputUsdPerMtok: number
  outputUsdPerMtok: number
  cachedInputUsdPerMtok: number
} {
  return {
    id: spec.id,
    provider: spec.provider,
    upstreamModel: spec.upstreamModel,
    displayName: spec.displayName,
    contextWindow: spec.contextWindow,
    maxOutputTokens: spec.maxOutputTokens,
    inputUsdPerMtok: spec.prices.inputMicroUsdPerMTok / 1_000_000,
    outputUsdPerMtok: spec.prices.outputMicroUsdPerMTok / 1_000_000,
    cachedInputUsdPerMtok: spec.prices.cachedInputMicroUsdPerMTok / 1_000_000,
    pricesEffectiveOn: spec.pricesEffectiveOn,
    capabilities: { ...spec.capabilities },
    enabled: spec.enabled,
    isDefault: spec.isDefault,
    sortOrder: spec.sortOrder,
  }
}
