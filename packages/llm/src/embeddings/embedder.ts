import OpenAI from 'openai'
import { CatalogError, type Encoding } from '../catalog/model-spec.ts'
import { abortedError, LlmError } from '../errors.ts'
import { costMicroUsd } from '../pricing.ts'
import { type SdkErrorMapper, sdkErrorMapper } from '../providers/sdk-errors.ts'
import { backoffDelay, defaultRetryPolicy, type RetryPolicy } from '../router/retry-policy.ts'
import { type Clock, monotonicNow, sleep as realSleep, type Sleep } from '../time.ts'
import { countEncodedTokens } from '../tokens/count-tokens.ts'
import { truncateToTokens } from '../tokens/truncate-to-tokens.ts'
import { embeddingModels } from './embedding-models.ts'

export interface EmbeddingResult {
  /** One vector per input, in input order. */
  vectors: number[][]
  inputTokens: number
  costMicroUsd: number
  /** HTTP requests made, retries included. */
  attempts: number
}

/** What one answered request of an `embed` call cost, reported as soon as it is paid. */
export interface EmbeddingSpend {
  inputTokens: number
  costMicroUsd: number
  /** HTTP requests this batch took, retries included. */
  attempts: number
  latencyMs: number
}

export interface EmbedOptions {
  signal?: AbortSignal
  /**
   * Called after each batch the server answered, before the next is sent, with what it cost:
   * a caller records spend as it happens, so a later batch's failure loses none of it. Its
   * rejection ends the call.
   */
  onBatch?: (spend: EmbeddingSpend) => Promise<unknown>
}

export interface Embedder {
  readonly model: string
  /** Vector size: the requested `dimensions`, else the model's own (null when Parley doesn't know it). */
  readonly dimensions: number | null
  embed(texts: readonly string[], options?: EmbedOptions): Promise<EmbeddingResult>
}

export interface EmbedderOptions {
  /** An OpenAI-compatible endpoint, ending in `/v1`. */
  baseURL: string
  apiKey: string
  model: string
  /** Asks the model for vectors of this size (text-embedding-3 models shorten theirs). */
  dimensions?: number
  /** Inputs per request; default 64. */
  batchSize?: number
  retry?: RetryPolicy
  /** Price of a model the built-in table doesn't know (0 for a free local server); required for such a model. */
  priceMicroUsdPerMillionInput?: number
  /** Input limit of a model the built-in table doesn't know; default 8,191. */
  maxInputTokens?: number
  clock?: Clock
  random?: () => number
  sleep?: Sleep
}

const DEFAULT_BATCH_SIZE = 64
const DEFAULT_MAX_INPUT_TOKENS = 8_191

interface Batch {
  vectors: number[][]
  /** Null when the server reported no usage. */
  inputTokens: number | null
}

/** What every call of one embedder shares. */
interface EmbedderContext {
  client: OpenAI
  model: string
  dimensions: number | undefined
  batchSize: number
  maxInputTokens: number
  encoding: Encoding
  priceMicroUsdPerMTok: number
  runtime: RetryRuntime
  toLlmError: SdkErrorMapper
}

/**
 * Embeds texts through the official OpenAI SDK (any OpenAI-compatible endpoint), in batches,
 * each retried with the router's policy (full-jitter backoff, Retry-After honoured, one deadline
 * per batch). Failures are `LlmError`s. A model with no known price is refused up front.
 */
export function createEmbedder(options: EmbedderOptions): Embedder {
  const known = embeddingModels[options.model]
  const price = options.priceMicroUsdPerMillionInput ?? known?.inputMicroUsdPerMTok
  if (price === undefined) {
    throw new CatalogError(
      `embedding model "${options.model}" has no known price; configure its price per million input tokens`,
      options.model,
    )
  }
  const context: EmbedderContext = {
    // Every option is explicit so the SDK reads nothing from the environment; retries are ours.
    client: new OpenAI({
      apiKey: options.apiKey || 'not-needed',
      baseURL: options.baseURL,
      organization: null,
      project: null,
      adminAPIKey: null,
      webhookSecret: null,
      maxRetries: 0,
    }),
    model: options.model,
    dimensions: options.dimensions,
    batchSize: Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE),
    maxInputTokens: options.maxInputTokens ?? known?.maxInputTokens ?? DEFAULT_MAX_INPUT_TOKENS,
    encoding: known?.encoding ?? 'cl100k_base',
    priceMicroUsdPerMTok: price,
    runtime: {
      policy: options.retry ?? defaultRetryPolicy,
      clock: options.clock ?? monotonicNow,
      random: options.random ?? Math.random,
      sleep: options.sleep ?? realSleep,
    },
    toLlmError: sdkErrorMapper('embeddings', OpenAI, (error) => error.code),
  }
  return {
    model: options.model,
    dimensions: options.dimensions ?? known?.dimensions ?? null,
    embed: (texts, { signal = new AbortController().signal, onBatch } = {}) =>
      embedAll(context, texts, signal, onBatch),
  }
}

async function embedAll(
  context: EmbedderContext,
  texts: readonly string[],
  signal: AbortSignal,
  onBatch: EmbedOptions['onBatch'],
): Promise<EmbeddingResult> {
  const vectors: number[][] = []
  let inputTokens = 0
  let attempts = 0
  for (let start = 0; start < texts.length; start += context.batchSize) {
    const inputs = texts
      .slice(start, start + context.batchSize)
      .map((text) => truncateToTokens(text, context.maxInputTokens, context.encoding))
    const started = context.runtime.clock()
    let batchAttempts = 0
    const batch = await withRetries(context.runtime, signal, (timeoutMs) => {
      batchAttempts += 1
      return requestBatch(context, inputs, { signal, timeoutMs })
    })
    vectors.push(...batch.vectors)
    inputTokens += batch.inputTokens
    attempts += batchAttempts
    await onBatch?.({
      inputTokens: batch.inputTokens,
      costMicroUsd: inputCost(context, batch.inputTokens),
      attempts: batchAttempts,
      latencyMs: Math.round(context.runtime.clock() - started),
    })
  }
  return { vectors, inputTokens, costMicroUsd: inputCost(context, inputTokens), attempts }
}

function inputCost(context: EmbedderContext, inputTokens: number): number {
  const usage = {
    inputTokens,
    outputTokens: 0,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    estimated: false,
  }
  const prices = {
    inputMicroUsdPerMTok: context.priceMicroUsdPerMTok,
    outputMicroUsdPerMTok: 0,
    cachedInputMicroUsdPerMTok: 0,
  }
  return costMicroUsd(usage, prices)
}

async function requestBatch(
  context: EmbedderContext,
  inputs: string[],
  { signal, timeoutMs }: { signal: AbortSignal; timeoutMs: number },
): Promise<{ vectors: number[][]; inputTokens: number }> {
  try {
    const response = await context.client.embeddings.create(
      {
        model: context.model,
        input: inputs,
        ...(context.dimensions === undefined ? {} : { dimensions: context.dimensions }),
      },
      { signal, timeout: timeoutMs },
    )
    const batch = readBatch(response, inputs.length, context.dimensions)
    // a compatible server that reports no usage is billed by Parley's own count
    const counted = () =>
      inputs.reduce((sum, text) => sum + countEncodedTokens(text, context.encoding), 0)
    return { vectors: batch.vectors, inputTokens: batch.inputTokens ?? counted() }
  } catch (error) {
    throw context.toLlmError(error, signal)
  }
}

interface RetryRuntime {
  policy: RetryPolicy
  clock: Clock
  random: () => number
  sleep: Sleep
}

/** Calls `attempt` until it succeeds, a failure is not retryable, tries run out, or the deadline passes. */
async function withRetries<T>(
  runtime: RetryRuntime,
  signal: AbortSignal,
  attempt: (timeoutMs: number) => Promise<T>,
): Promise<T> {
  const { policy, clock } = runtime
  const deadlineAt = clock() + policy.deadlineMs
  for (let tryNumber = 1; ; tryNumber++) {
    if (signal.aborted) throw abortedError('embeddings')
    const timeoutMs = Math.max(1, Math.min(policy.ttftTimeoutMs, deadlineAt - clock()))
    try {
      return await attempt(timeoutMs)
    } catch (error) {
      if (!(error instanceof LlmError) || !error.retryable || tryNumber >= policy.maxAttempts)
        throw error
      const delay = backoffDelay(tryNumber, error.retryAfterMs, policy, runtime.random)
      if (delay === null || clock() + delay >= deadlineAt) throw error
      await runtime.sleep(delay, signal)
    }
  }
}

type EmbeddingsResponse = Awaited<ReturnType<OpenAI['embeddings']['create']>>

/**
 * Vectors in input order: one per input, indices exactly 0..n-1 each once, all of one size. A
 * malformed reply is a provider error, never vectors filed under the wrong passages.
 */
function readBatch(
  response: EmbeddingsResponse,
  expected: number,
  dimensions: number | undefined,
): Batch {
  const malformed = (detail: string) =>
    new LlmError('provider_error', { detail, provider: 'embeddings', retryable: false })
  if (response.data.length !== expected) {
    throw malformed(`embeddings reply had ${response.data.length} vectors for ${expected} inputs`)
  }
  const vectors = new Array<number[] | undefined>(expected).fill(undefined)
  for (const { index, embedding } of response.data) {
    if (!Number.isInteger(index) || index < 0 || index >= expected || vectors[index]) {
      throw malformed(`embeddings reply had index ${index}, not each of 0..${expected - 1} once`)
    }
    vectors[index] = Array.from(embedding)
  }
  const complete = vectors.filter((vector) => vector !== undefined)
  const size = dimensions ?? complete[0]?.length
  if (complete.some((vector) => vector.length !== size)) {
    throw malformed('embeddings reply had vectors of another or mixed sizes')
  }
  return { vectors: complete, inputTokens: response.usage?.prompt_tokens ?? null }
}
