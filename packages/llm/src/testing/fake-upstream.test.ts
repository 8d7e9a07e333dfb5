import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { countEncodedTokens } from '../tokens/count-tokens.ts'
import { fakeEmbedding } from './fake-embeddings.ts'
import { type FakeUpstream, type RecordedRequest, startFakeUpstream } from './fake-upstream.ts'

let fake: FakeUpstream
let openai: OpenAI
let anthropic: Anthropic

beforeAll(async () => {
  fake = await startFakeUpstream()
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: fake.openaiBaseUrl, maxRetries: 0 })
  anthropic = new Anthropic({
    apiKey: 'sk-ant-test',
    baseURL: fake.anthropicBaseUrl,
    maxRetries: 0,
    timeout: 10_000,
  })
})
afterAll(async () => {
  await fake.close()
})
beforeEach(() => {
  fake.reset()
})

const chat = (model: string, content: string) =>
  openai.chat.completions.create({ model, messages: [{ role: 'user', content }] })

describe('fake upstream', () => {
  it('exposes the base URLs each SDK expects', () => {
    expect(fake.openaiBaseUrl).toBe(`${fake.origin}/v1`)
    expect(fake.anthropicBaseUrl).toBe(fake.origin)
    expect(fake.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  })

  it('echoes the last user message for any model when nothing is queued', async () => {
    const completion = await chat('any-model-name', 'ping')
    expect(completion.choices[0]?.message.content).toBe('You said: ping')
    const message = await anthropic.messages.create({
      model: 'claude-whatever',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'pong' }],
    })
    expect(message.content).toEqual([
      expect.objectContaining({ type: 'text', text: 'You said: pong' }),
    ])
    expect(fake.requests.map((r) => [r.api, r.model, r.scenario])).toEqual([
      ['openai', 'any-model-name', 'default'],
      ['anthropic', 'claude-whatever', 'default'],
    ])
  })

  it('applies a scoped scenario only to the requests it matches', async () => {
    fake.enqueue(
      { kind: 'text', text: 'A Short Title' },
      { model: 'cheap', lastUserMessageIncludes: 'title' },
    )
    const [main, title] = await Promise.all([
      chat('strong', 'make a title later'),
      chat('cheap', 'write a title'),
    ])
    expect(main.choices[0]?.message.content).toBe('You said: make a title later')
    expect(title.choices[0]?.message.content).toBe('A Short Title')
    // consumed: the next matching request gets the default again
    expect((await chat('cheap', 'another title')).choices[0]?.message.content).toBe(
      'You said: another title',
    )
  })

  it('serves a scenario the number of times asked, then falls back to the default', async () => {
    fake.enqueue({ kind: 'status', status: 500, times: 2 }, { lastUserMessage: 'flaky' })
    await expect(chat('m', 'flaky')).rejects.toMatchObject({ status: 500 })
    await expect(chat('m', 'flaky')).rejects.toMatchObject({ status: 500 })
    await expect(chat('m', 'flaky')).resolves.toBeDefined()
  })

  it('refuses a scenario that does not name its request, so none is taken by whoever comes next', () => {
    // @ts-expect-error: the type demands a content key as well
    expect(() => fake.enqueue({ kind: 'status', status: 500 }, { model: 'm' })).toThrow(
      /must name its request/,
    )
  })

  it('never gives a scenario keyed by the exact message to a title prompt that quotes it', async () => {
    fake.enqueue({ kind: 'text', text: 'the reply' }, { lastUserMessage: 'Plan a picnic' })
    const title = await chat('m', 'Name this conversation.\nUser: Plan a picnic')
    expect(title.choices[0]?.message.content).toBe(
      'You said: Name this conversation.\nUser: Plan a picnic',
    )
    expect((await chat('m', 'Plan a picnic')).choices[0]?.message.content).toBe('the reply')
    expect(fake.requestsFor({ lastUserMessage: 'Plan a picnic' })).toHaveLength(1)
  })

  it('tells streamed turns from buffered calls', async () => {
    fake.enqueue({ kind: 'text', text: 'streamed' }, { lastUserMessage: 'both', stream: true })
    expect((await chat('m', 'both')).choices[0]?.message.content).toBe('You said: both')
    const stream = await openai.chat.completions.create({
      model: 'm',
      stream: true,
      messages: [{ role: 'user', content: 'both' }],
    })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toBe('streamed')
  })

  it('delivers every chunk streamed before a cut, then drops the connection', async () => {
    fake.enqueue({ kind: 'cut', tokens: 40, afterTokens: 30 }, { lastUserMessage: 'cut me' })
    const stream = await openai.chat.completions.create({
      model: 'm',
      stream: true,
      messages: [{ role: 'user', content: 'cut me' }],
    })
    const pieces: string[] = []
    await expect(
      (async () => {
        for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta.content ?? '')
      })(),
    ).rejects.toThrow()
    expect(pieces.filter(Boolean)).toHaveLength(30)
    expect(fake.requestsFor({ lastUserMessage: 'cut me' })[0]?.state).toBe('cut')
  })

  it('is driven over HTTP by another process', async () => {
    const queued = await fetch(`${fake.origin}/__fake/scenarios`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { scenario: { kind: 'text', text: 'scripted' }, match: { lastUserMessage: 'x' } },
        {
          scenario: { kind: 'status', status: 429, retryAfterSeconds: 3 },
          match: { api: 'anthropic', lastUserMessage: 'y' },
        },
      ]),
    })
    expect(queued.status).toBe(201)
    expect((await chat('m', 'x')).choices[0]?.message.content).toBe('scripted')
    await expect(
      anthropic.messages.create({
        model: 'c',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'y' }],
      }),
    ).rejects.toMatchObject({ status: 429 })

    const recorded = (await (
      await fetch(`${fake.origin}/__fake/requests`)
    ).json()) as RecordedRequest[]
    expect(recorded.map((r) => r.scenario)).toEqual(['text', 'status'])

    await fetch(`${fake.origin}/__fake/reset`, { method: 'POST' })
    expect(fake.requests).toHaveLength(0)
  })

  it('rejects a malformed or unnamed scenario over HTTP', async () => {
    for (const body of [
      { scenario: { kind: 'explode' }, match: { lastUserMessage: 'z' } },
      { scenario: { kind: 'text', text: 'for anyone' } },
      { scenario: { kind: 'text', text: 'for anyone' }, match: { api: 'openai' } },
    ]) {
      const response = await fetch(`${fake.origin}/__fake/scenarios`, {
        method: 'POST',
        body: JSON.stringify(body),
      })
      expect(response.status).toBe(400)
    }
  })

  it('records whether the client went away before the reply finished', async () => {
    fake.enqueue({ kind: 'text', tokens: 400, tokensPerSecond: 200 }, { lastUserMessage: 'long' })
    const controller = new AbortController()
    const stream = await openai.chat.completions.create(
      { model: 'm', stream: true, messages: [{ role: 'user', content: 'long' }] },
      { signal: controller.signal },
    )
    for await (const _chunk of stream) {
      controller.abort()
    }
    await expect.poll(() => fake.requests[0]?.state).toBe('disconnected')

    await chat('m', 'short')
    expect(fake.requests[1]).toMatchObject({ state: 'completed', disconnected: false })
  })
})

describe('fake upstream CLI', () => {
  it('starts on the given port and prints its origin', async () => {
    const cli = fileURLToPath(new URL('./fake-upstream-cli.ts', import.meta.url))
    const child = spawn(process.execPath, [cli, '--port', '0', '--tokens-per-second', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    try {
      const [chunk] = (await once(child.stdout, 'data')) as [Buffer]
      const origin = chunk.toString().trim()
      expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const health = await fetch(`${origin}/__fake/health`)
      expect(await health.json()).toEqual({ ok: true })
    } finally {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  })
})

describe('fake upstream embeddings', () => {
  it('answers floats or base64 as asked, sized by the request, with the prompt tokens used', async () => {
    const input = ['harbour tides at dawn', 'tax forms']
    const floats = await openai.embeddings.create({
      model: 'text-embedding-3-small',
      input,
      dimensions: 64,
      encoding_format: 'float',
    })
    expect(floats.data.map((item) => item.embedding)).toEqual(
      input.map((text) => fakeEmbedding(text, 64)),
    )
    expect(floats.usage.prompt_tokens).toBe(
      countEncodedTokens(input[0] ?? '') + countEncodedTokens(input[1] ?? ''),
    )
    // the SDK asks for base64 unless told otherwise, and decodes it
    const decoded = await openai.embeddings.create({ model: 'text-embedding-3-small', input })
    expect(decoded.data[0]?.embedding).toHaveLength(256)
    expect(Array.from(decoded.data[0]?.embedding ?? [])[3]).toBeCloseTo(
      fakeEmbedding(input[0] ?? '')[3] ?? 0,
      6,
    )
    expect(fake.requests.map((request) => [request.path, request.inputs])).toEqual([
      ['/v1/embeddings', input],
      ['/v1/embeddings', input],
    ])
  })

  it('gives an embeddings scenario only to the inputs it names, never to a chat turn', async () => {
    fake.enqueue({ kind: 'status', status: 429 }, { inputIncludes: 'quota' })
    await expect(chat('m', 'quota question')).resolves.toBeDefined()
    await expect(openai.embeddings.create({ model: 'e', input: ['other'] })).resolves.toBeDefined()
    await expect(
      openai.embeddings.create({ model: 'e', input: ['over quota'] }),
    ).rejects.toMatchObject({
      status: 429,
    })
    expect(fake.requestsFor({ inputIncludes: 'quota' }).map((request) => request.scenario)).toEqual(
      ['status'],
    )
  })
})
