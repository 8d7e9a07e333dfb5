import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CatalogError } from '../catalog/model-spec.ts'
import { LlmError } from '../errors.ts'
import { defaultRetryPolicy } from '../router/retry-policy.ts'
import { fakeEmbedding } from '../testing/fake-embeddings.ts'
import { type FakeUpstream, startFakeUpstream } from '../testing/fake-upstream.ts'
import { countEncodedTokens } from '../tokens/count-tokens.ts'
import { createEmbedder, type EmbedderOptions } from './embedder.ts'

let fake: FakeUpstream
beforeAll(async () => {
  fake = await startFakeUpstream()
})
afterAll(() => fake.close())

const quickRetries = { ...defaultRetryPolicy, baseDelayMs: 1, maxDelayMs: 5 }
const embedder = (options: Partial<EmbedderOptions> = {}) =>
  createEmbedder({
    baseURL: fake.openaiBaseUrl,
    apiKey: 'sk-test',
    model: 'text-embedding-3-small',
    dimensions: 256,
    retry: quickRetries,
    ...options,
  })
const cosine = (a: number[], b: number[]) =>
  a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0)

describe('createEmbedder', () => {
  it('returns one unit vector per text, in order, closer for texts that share words', async () => {
    const mine = randomUUID()
    const texts = [
      `${mine} the tide rises at dawn`,
      `${mine} tides rising near dawn`,
      `${mine} quarterly tax forms`,
    ]
    const result = await embedder().embed(texts)
    expect(result.vectors).toHaveLength(3)
    for (const [i, vector] of result.vectors.entries()) {
      expect(vector).toHaveLength(256)
      expect(cosine(vector, vector)).toBeCloseTo(1, 5)
      // float32 on the wire, as the SDK's default base64 encoding carries it
      expect(vector[0]).toBeCloseTo(fakeEmbedding(texts[i] ?? '', 256)[0] ?? 0, 6)
    }
    const [tide, tides, tax] = result.vectors as [number[], number[], number[]]
    expect(cosine(tide, tides)).toBeGreaterThan(cosine(tide, tax))
    expect((await embedder().embed(texts)).vectors).toEqual(result.vectors)
    expect(fake.requestsFor({ inputIncludes: mine })[0]?.body).toMatchObject({
      encoding_format: 'base64',
      dimensions: 256,
    })
  })

  it('sends inputs in batches and keeps their order', async () => {
    const mine = randomUUID()
    const texts = Array.from({ length: 150 }, (_, i) => `${mine} passage number ${i}`)
    const result = await embedder({ batchSize: 64 }).embed(texts)
    expect(
      fake.requestsFor({ inputIncludes: mine }).map((request) => request.inputs.length),
    ).toEqual([64, 64, 22])
    expect(result.attempts).toBe(3)
    expect(result.vectors[149]).toEqual((await embedder().embed([texts[149] ?? ''])).vectors[0])
  })

  it('reports what each answered batch cost before a later batch fails', async () => {
    const mine = randomUUID()
    const texts = [`${mine} one`, `${mine} two`, `${mine} three refused`]
    fake.enqueue({ kind: 'status', status: 400 }, { inputIncludes: `${mine} three` })
    const spends: { inputTokens: number; costMicroUsd: number; attempts: number }[] = []
    await expect(
      embedder({ batchSize: 2 }).embed(texts, {
        onBatch: async (spend) => {
          spends.push(spend)
        },
      }),
    ).rejects.toBeInstanceOf(LlmError)
    expect(spends).toEqual([
      expect.objectContaining({ inputTokens: expect.any(Number), attempts: 1 }),
    ])
    expect(spends[0]?.inputTokens).toBeGreaterThan(0)
    expect(spends[0]?.costMicroUsd).toBeGreaterThan(0)
  })

  it('retries a rate limit and a server error, then succeeds', async () => {
    const mine = randomUUID()
    fake.enqueue({ kind: 'status', status: 429, retryAfterMs: 5 }, { inputIncludes: mine })
    fake.enqueue({ kind: 'status', status: 500 }, { inputIncludes: mine })
    const result = await embedder().embed([`${mine} retried text`])
    expect(result.attempts).toBe(3)
    expect(result.vectors).toHaveLength(1)
    expect(fake.requestsFor({ inputIncludes: mine }).map((request) => request.scenario)).toEqual([
      'status',
      'status',
      'default',
    ])
  })

  it('surfaces a failure as an LlmError once retries are spent, and does not retry a bad request', async () => {
    const down = randomUUID()
    fake.enqueue({ kind: 'status', status: 503, times: 'always' }, { inputIncludes: down })
    await expect(embedder().embed([`${down} text`])).rejects.toMatchObject({
      name: 'LlmError',
      code: 'provider_unavailable',
    })
    expect(fake.requestsFor({ inputIncludes: down })).toHaveLength(defaultRetryPolicy.maxAttempts)
    const bad = randomUUID()
    fake.enqueue({ kind: 'status', status: 400, times: 'always' }, { inputIncludes: bad })
    const error = await embedder()
      .embed([`${bad} text`])
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(LlmError)
    expect(error).toMatchObject({ code: 'invalid_request', retryable: false })
    expect(fake.requestsFor({ inputIncludes: bad })).toHaveLength(1)
  })

  it('fails the batch when the reply numbers its vectors other than 0..n-1, each once', async () => {
    for (const embeddingIndices of [
      [0, 1, 5],
      [0, 0, 2],
      [-1, 1, 2],
      [0, 1],
      [0, 1, 1, 2],
    ]) {
      const mine = randomUUID()
      fake.enqueue({ kind: 'text', embeddingIndices }, { inputIncludes: mine })
      const texts = [`${mine} first`, `${mine} second`, `${mine} third`]
      const failure = await embedder()
        .embed(texts)
        .catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(LlmError)
      expect(failure).toMatchObject({ code: 'provider_error', retryable: false })
      expect(fake.requestsFor({ inputIncludes: mine })).toHaveLength(1)
    }
    const mine = randomUUID()
    fake.enqueue({ kind: 'text', embeddingIndices: [2, 0, 1] }, { inputIncludes: mine })
    const texts = [`${mine} first`, `${mine} second`, `${mine} third`]
    const shuffled = await embedder().embed(texts)
    expect(shuffled.vectors[2]?.[0]).toBeCloseTo(fakeEmbedding(texts[0] ?? '', 256)[0] ?? 0, 6)
  })

  it('prices the input tokens the provider reports', async () => {
    const mine = randomUUID()
    const texts = [
      `${mine} ${'a long passage about harbours and tides '.repeat(200)}`,
      `${mine} short`,
    ]
    const result = await embedder().embed(texts)
    const expected = texts.reduce((sum, text) => sum + countEncodedTokens(text), 0)
    expect(result.inputTokens).toBe(expected)
    // $0.02 per million input tokens, rounded up to the micro-dollar
    expect(result.costMicroUsd).toBe(Math.ceil((expected * 20_000) / 1_000_000))
  })

  it('cuts an input longer than the model takes to its token limit', async () => {
    const mine = randomUUID()
    const long = `${mine} ${'word '.repeat(5_000)}`
    await embedder({
      model: 'local-embedder',
      priceMicroUsdPerMillionInput: 0,
      maxInputTokens: 100,
    }).embed([long])
    const [sent] = fake.requestsFor({ inputIncludes: mine })
    expect(countEncodedTokens(sent?.inputs[0] ?? '', 'cl100k_base')).toBeLessThanOrEqual(100)
    expect(long.startsWith(sent?.inputs[0] ?? 'x')).toBe(true)
  })

  it('refuses a model whose price it does not know, unless one is configured', () => {
    expect(() => embedder({ model: 'mystery-embedder' })).toThrow(CatalogError)
    expect(embedder({ model: 'mystery-embedder', priceMicroUsdPerMillionInput: 0 }).model).toBe(
      'mystery-embedder',
    )
  })

  it('stops when the caller aborts', async () => {
    const mine = randomUUID()
    fake.enqueue({ kind: 'hang' }, { inputIncludes: mine })
    const controller = new AbortController()
    const pending = embedder().embed([`${mine} text`], { signal: controller.signal })
    controller.abort()
    await expect(pending).rejects.toMatchObject({ code: 'aborted' })
  })
})
