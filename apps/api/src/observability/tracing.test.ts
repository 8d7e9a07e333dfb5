import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace'
import { startFakeUpstream } from '@parley/llm/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApiProcess } from '../testing/api-process.ts'
import {
  chatModel,
  eventually,
  fallbackModel,
  readEvents,
  startTestServer,
  type TestServer,
} from '../testing/test-server.ts'
import { startTracing, type Tracing, traceTo } from './tracing.ts'

/** Sends one message as SSE and reads the reply to its end; returns the request id and the events. */
async function turn(server: TestServer, token: string, content: string) {
  const conversationId = await server.newConversation(token)
  const response = await server.sendStreamed(token, conversationId, { content })
  const events = await readEvents(response)
  return { requestId: response.headers.get('x-request-id') ?? '', events }
}

const idOf = (span: ReadableSpan) => span.spanContext().spanId
const requestIdOf = (span: ReadableSpan) => span.attributes['parley.request_id']

/** Every value a span carries (attributes, event names and event attributes) as one string. */
const recorded = (spans: readonly ReadableSpan[]) =>
  JSON.stringify(
    spans.map((span) => [
      span.name,
      span.attributes,
      span.status,
      span.events.map((event) => [event.name, event.attributes]),
    ]),
  )

describe('with no OTLP endpoint configured', () => {
  it('loads no tracer provider, records no span, and the API answers as usual', async () => {
    expect(await startTracing(undefined, '0.0.0')).toBeUndefined()
    const server = await startTestServer()
    try {
      const user = await server.user()
      const { requestId, events } = await turn(server, user.token, 'untraced question')
      expect(requestId).not.toBe('')
      expect(events.at(-1)?.event).toBe('done')
      const probe = trace.getTracer('probe').startSpan('probe')
      expect(probe.isRecording()).toBe(false)
      probe.end()
    } finally {
      await server.close()
    }
  })
})

describe('with tracing on', () => {
  const exporter = new InMemorySpanExporter()
  let tracing: Tracing
  let server: TestServer
  beforeAll(async () => {
    tracing = await traceTo(exporter, { serviceName: 'parley-api', version: 'test' })
    server = await startTestServer({ tracer: tracing.tracer })
  })
  afterAll(async () => {
    await server?.close()
    await tracing?.shutdown()
  })

  /** The spans of the request with this id, once its span (which ends with the stream) is out. */
  async function traceOf(requestId: string) {
    const root = await eventually(async () => {
      await tracing.flush()
      return exporter
        .getFinishedSpans()
        .find((span) => span.kind === SpanKind.SERVER && requestIdOf(span) === requestId)
    })
    const traceId = root.spanContext().traceId
    const spans = () =>
      exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId)
    // The title step may end just after the stream: wait for the settle and title steps too.
    await eventually(async () => {
      await tracing.flush()
      const steps = new Set(spans().map((span) => span.attributes['parley.turn.step']))
      return steps.has('settle') && steps.has('title')
    })
    return { root, spans: spans() }
  }

  it('traces a turn: request, steps, transactions and the provider attempt, never its text or tokens', async () => {
    const user = await server.user()
    const marker = randomUUID()
    const question = `a private question ${marker}`
    const reply = `A secret reply ${marker}.`
    server.fake.enqueue(
      { kind: 'text', text: reply, usage: { inputTokens: 30, outputTokens: 7 } },
      { lastUserMessage: question },
    )
    const { requestId, events } = await turn(server, user.token, question)
    expect(events.at(-1)?.event).toBe('done')

    const { root, spans } = await traceOf(requestId)
    expect(root).toMatchObject({
      name: 'POST /api/v1/conversations/:id/messages',
      parentSpanContext: undefined,
      attributes: {
        'http.route': '/api/v1/conversations/:id/messages',
        'http.response.status_code': 200,
        'parley.request_id': requestId,
      },
    })
    const byId = new Map(spans.map((span) => [idOf(span), span]))
    const rootOf = (span: ReadableSpan): ReadableSpan => {
      const parent = span.parentSpanContext && byId.get(span.parentSpanContext.spanId)
      return parent ? rootOf(parent) : span
    }
    for (const span of spans) expect(rootOf(span)).toBe(root)

    const steps = spans.filter((span) => span.attributes['parley.turn.step'])
    expect(steps.map((span) => span.attributes['parley.turn.step'])).toEqual(
      expect.arrayContaining(['prepare', 'admit', 'context', 'stream', 'settle', 'title']),
    )
    for (const step of steps) expect(requestIdOf(step)).toBe(requestId)
    const transactions = spans.filter((span) => span.name === 'db.transaction')
    expect(transactions.length).toBeGreaterThanOrEqual(2)
    expect(transactions[0]?.attributes).toMatchObject({ 'db.system.name': 'postgresql' })

    const stream = steps.find((span) => span.attributes['parley.turn.step'] === 'stream')
    const attempt = spans.find((span) => span.attributes['parley.model'] === chatModel)
    expect(attempt?.parentSpanContext?.spanId).toBe(stream && idOf(stream))
    expect(attempt?.kind).toBe(SpanKind.CLIENT)
    expect(attempt?.status.code).not.toBe(SpanStatusCode.ERROR)
    expect(attempt?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': 30,
      'gen_ai.usage.output_tokens': 7,
      'parley.request_id': requestId,
    })
    expect(attempt?.attributes['gen_ai.request.model']).toEqual(expect.any(String))
    expect(attempt?.attributes['gen_ai.response.model']).toEqual(expect.any(String))
    expect(attempt?.attributes['parley.cost_usd']).toBeGreaterThan(0)

    const everything = recorded(exporter.getFinishedSpans())
    expect(everything).not.toContain(marker)
    expect(everything).not.toContain(user.token)
    expect(everything).not.toContain('test-openai-key')
  })

  it('marks a failed provider attempt as an error with its type, and traces the fallback', async () => {
    const user = await server.user()
    const question = `traced fallback ${randomUUID()}`
    server.fake.enqueue(
      { kind: 'status', status: 500, times: 3 },
      { api: 'openai', lastUserMessage: question },
    )
    server.fake.enqueue(
      { kind: 'text', text: 'From the other one.' },
      { api: 'anthropic', lastUserMessage: question },
    )
    const { requestId, events } = await turn(server, user.token, question)
    expect(events.at(-1)?.event).toBe('done')

    const { spans } = await traceOf(requestId)
    const failed = spans.filter((span) => span.attributes['parley.model'] === chatModel)
    expect(failed).toHaveLength(3)
    for (const attempt of failed) {
      expect(attempt.status.code).toBe(SpanStatusCode.ERROR)
      expect(attempt.attributes).toMatchObject({
        'error.type': 'provider_error',
        'http.response.status_code': 500,
      })
    }
    const answered = spans.find((span) => span.attributes['parley.model'] === fallbackModel)
    expect(answered?.status.code).not.toBe(SpanStatusCode.ERROR)
    expect(answered?.attributes['gen_ai.provider.name']).toBe('anthropic')
  })
})

interface Post {
  path: string
  headers: IncomingHttpHeaders
  body: string
}

describe('the OTLP exporter of the server process', () => {
  it('posts its spans to OTEL_EXPORTER_OTLP_ENDPOINT with its headers, last ones on SIGTERM', async () => {
    const posts: Post[] = []
    const collector = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString()
      })
      request.on('end', () => {
        posts.push({ path: request.url ?? '', headers: request.headers, body })
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    })
    collector.listen(0, '127.0.0.1')
    await once(collector, 'listening')
    const fake = await startFakeUpstream()
    const api = await startApiProcess({
      env: {
        OPENAI_API_KEY: 'test-openai-key',
        OPENAI_BASE_URL: fake.openaiBaseUrl,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=a%20shared%20secret',
        OTEL_SERVICE_NAME: 'parley-under-test',
      },
    })
    try {
      const health = await fetch(`${api.url}/api/v1/health`)
      const requestId = health.headers.get('x-request-id') ?? ''
      api.child.kill('SIGTERM')
      expect(await api.exited).toBe(0)

      const traces = posts.filter((post) => post.path === '/v1/traces')
      expect(traces.length).toBeGreaterThan(0)
      for (const post of traces) expect(post.headers['x-collector-key']).toBe('a shared secret')
      const sent = traces.map((post) => post.body).join('\n')
      expect(sent).toContain('parley-under-test')
      expect(sent).toContain('GET /api/v1/health')
      expect(sent).toContain(requestId)
    } finally {
      await api.cleanUp()
      await fake.close()
      collector.close()
    }
  })
})
