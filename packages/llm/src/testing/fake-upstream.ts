import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'
import type { z } from 'zod'
import { textPieces } from '../providers/demo/demo-provider.ts'
import { countEncodedTokens } from '../tokens/count-tokens.ts'
import { base64Vector, FAKE_EMBEDDING_DIMENSIONS, fakeEmbedding } from './fake-embeddings.ts'
import {
  queuedScenariosSchema,
  type Scenario,
  type ScenarioMatch,
  scenarioMatchSchema,
  scenarioSchema,
} from './scenarios.ts'

export type Api = 'openai' | 'anthropic'

export interface RecordedRequest {
  /** 1-based, in arrival order. */
  id: number
  api: Api
  path: string
  model: string
  stream: boolean
  /** The parsed JSON body exactly as the client sent it. */
  body: unknown
  lastUserMessage: string
  /** The texts of an embeddings request (`POST /v1/embeddings`); empty for chat requests. */
  inputs: string[]
  /** Request headers, credentials redacted. */
  headers: Record<string, string>
  /** `default` when no queued scenario matched. */
  scenario: Scenario['kind'] | 'default'
  /** `open` while responding; `disconnected` when the client went away before the reply was complete. */
  state: 'open' | 'completed' | 'cut' | 'disconnected'
  disconnected: boolean
  receivedAt: string
}

export interface FakeUpstreamOptions {
  /** Defaults to 127.0.0.1. */
  host?: string
  /** Defaults to 0: a free port chosen by the OS. */
  port?: number
  /** The reply to requests no scenario names: an echo, or `tokens` generated words; unpaced unless given. */
  defaultReply?: { tokens?: number; tokensPerSecond?: number; firstByteDelayMs?: number }
}

export interface FakeUpstream {
  origin: string
  /** `origin + '/v1'`, for the OpenAI SDK and `OPENAI_BASE_URL`. */
  openaiBaseUrl: string
  /** The bare origin, for the Anthropic SDK and `ANTHROPIC_BASE_URL`. */
  anthropicBaseUrl: string
  /** Queues a scenario for the next request it matches (or the next `times` of them). */
  enqueue(scenario: Scenario, match: ScenarioMatch): void
  /** Every request received so far, live. */
  readonly requests: readonly RecordedRequest[]
  /** The requests received so far that `match` names, live: what one test sent. */
  requestsFor(match: ScenarioMatch): RecordedRequest[]
  /** Forgets queued scenarios and recorded requests. */
  reset(): void
  close(): Promise<void>
}

type ParsedMatch = z.output<typeof scenarioMatchSchema>

interface Queued {
  scenario: Scenario
  match: ParsedMatch
  remaining: number
}

interface ParsedRequest {
  api: Api
  model: string
  stream: boolean
  includeUsage: boolean
  lastUserMessage: string
  promptText: string
  inputs: string[]
}

const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel']

/** The text a scenario replies with. */
function replyFor(scenario: { text?: string | undefined; tokens?: number | undefined }): string {
  if (scenario.text !== undefined) return scenario.text
  const count = scenario.tokens ?? 8
  return Array.from({ length: count }, (_, i) => words[i % words.length]).join(' ')
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        typeof part === 'object' && part !== null && 'text' in part ? String(part.text) : '',
      )
      .join('')
  }
  return ''
}

function parseRequest(api: Api, body: Record<string, unknown>): ParsedRequest {
  const messages = Array.isArray(body.messages) ? (body.messages as Record<string, unknown>[]) : []
  const texts = messages.map((message) => textOf(message.content))
  if (api === 'anthropic' && body.system !== undefined) texts.unshift(textOf(body.system))
  const lastUser = messages.findLast((message) => message.role === 'user')
  const streamOptions = body.stream_options as { include_usage?: boolean } | undefined
  return {
    api,
    model: typeof body.model === 'string' ? body.model : '',
    stream: body.stream === true,
    includeUsage: api === 'anthropic' || streamOptions?.include_usage === true,
    lastUserMessage: lastUser ? textOf(lastUser.content) : '',
    promptText: texts.join('\n'),
    inputs: [],
  }
}

function parseEmbeddingsRequest(body: Record<string, unknown>): ParsedRequest {
  const raw = Array.isArray(body.input) ? body.input : [body.input]
  // token-id inputs are recorded as their ids; Parley sends text
  const inputs = raw.map((input) => (typeof input === 'string' ? input : JSON.stringify(input)))
  return {
    api: 'openai',
    model: typeof body.model === 'string' ? body.model : '',
    stream: false,
    includeUsage: true,
    lastUserMessage: '',
    promptText: inputs.join('\n'),
    inputs,
  }
}

function matches(
  match: ParsedMatch,
  request: Pick<ParsedRequest, 'api' | 'model' | 'stream' | 'lastUserMessage' | 'inputs'>,
): boolean {
  const inputIncludes = match.inputIncludes
  return (
    (inputIncludes === undefined ||
      request.inputs.some((input) => input.includes(inputIncludes))) &&
    (match.lastUserMessage === undefined || match.lastUserMessage === request.lastUserMessage) &&
    (match.stream === undefined || match.stream === request.stream) &&
    (match.model === undefined || match.model === request.model) &&
    (match.api === undefined || match.api === request.api) &&
    (match.lastUserMessageIncludes === undefined ||
      request.lastUserMessage.includes(match.lastUserMessageIncludes))
  )
}

interface UsageNumbers {
  inputTokens: number
  outputTokens: number
  cachedInputTokens: number
  reasoningTokens: number
}

function openaiUsage(usage: UsageNumbers) {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  }
}

function anthropicUsage(usage: UsageNumbers) {
  return {
    input_tokens: usage.inputTokens - usage.cachedInputTokens,
    cache_read_input_tokens: usage.cachedInputTokens,
    cache_creation_input_tokens: 0,
    output_tokens: usage.outputTokens,
    output_tokens_details: usage.reasoningTokens
      ? { thinking_tokens: usage.reasoningTokens }
      : null,
  }
}

const defaultErrorTypes: Record<Api, (status: number) => string> = {
  openai: (status) =>
    status === 429
      ? 'rate_limit_exceeded'
      : status >= 500
        ? 'server_error'
        : status === 401
          ? 'invalid_api_key'
          : 'invalid_request_error',
  anthropic: (status) =>
    status === 429
      ? 'rate_limit_error'
      : status === 529 || status === 503
        ? 'overloaded_error'
        : status >= 500
          ? 'api_error'
          : status === 401
            ? 'authentication_error'
            : 'invalid_request_error',
}

function errorBody(api: Api, type: string, message: string, code: string | null = null) {
  return api === 'openai'
    ? { error: { message, type, param: null, code } }
    : { type: 'error', error: { type, message } }
}

/**
 * A loopback server that speaks OpenAI chat completions (`POST /v1/chat/completions`), OpenAI
 * embeddings (`POST /v1/embeddings`) and Anthropic messages (`POST /v1/messages`), streamed and
 * not, well enough for the official SDKs.
 * Requests take the first queued scenario that names them (by the last user message); with
 * none, they get the default reply: an echo of the last user message, or `defaultReply.tokens`
 * generated words. `/__fake/*` exposes the same controls over HTTP.
 */
export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const queue: Queued[] = []
  const requests: RecordedRequest[] = []
  let nextId = 1
  const defaultReply = options.defaultReply ?? {}

  const push = (scenario: Scenario, match: ParsedMatch) => {
    const parsed = scenarioSchema.parse(scenario)
    const times = parsed.times ?? 1
    queue.push({
      scenario: parsed,
      match,
      remaining: times === 'always' ? Number.POSITIVE_INFINITY : times,
    })
  }
  const enqueue = (scenario: Scenario, match: ScenarioMatch) =>
    push(scenario, scenarioMatchSchema.parse(match))

  const take = (request: ParsedRequest): Scenario | undefined => {
    const index = queue.findIndex((entry) => matches(entry.match, request))
    const entry = queue[index]
    if (!entry) return undefined
    entry.remaining -= 1
    if (entry.remaining <= 0) queue.splice(index, 1)
    return entry.scenario
  }

  const reset = () => {
    queue.length = 0
    requests.length = 0
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error) } })
      else res.destroy()
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake')
    const path = url.pathname
    if (path.startsWith('/__fake/')) return control(req, res, path)
    if (req.method === 'POST' && path === '/v1/embeddings') return embeddings(req, res, path)
    const api: Api | undefined =
      req.method === 'POST' && path === '/v1/chat/completions'
        ? 'openai'
        : req.method === 'POST' && path === '/v1/messages'
          ? 'anthropic'
          : undefined
    if (!api) {
      sendJson(res, 404, { error: { message: `no route for ${req.method} ${path}` } })
      return
    }
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>
    const parsed = parseRequest(api, body)
    const scenario = take(parsed)
    const { record, gone } = recordRequest(req, res, { path, body, parsed, scenario })
    await respond(parsed, scenario, res, record, gone)
  }

  function recordRequest(
    req: IncomingMessage,
    res: ServerResponse,
    seen: { path: string; body: unknown; parsed: ParsedRequest; scenario: Scenario | undefined },
  ): { record: RecordedRequest; gone: AbortSignal } {
    const { parsed } = seen
    const record: RecordedRequest = {
      id: nextId++,
      api: parsed.api,
      path: seen.path,
      model: parsed.model,
      stream: parsed.stream,
      body: seen.body,
      lastUserMessage: parsed.lastUserMessage,
      inputs: parsed.inputs,
      headers: redact(req.headers),
      scenario: seen.scenario?.kind ?? 'default',
      state: 'open',
      disconnected: false,
      receivedAt: new Date().toISOString(),
    }
    requests.push(record)
    const gone = new AbortController()
    res.once('close', () => {
      if (record.state === 'open' && !res.writableFinished) {
        record.state = 'disconnected'
        record.disconnected = true
      }
      gone.abort()
    })
    return { record, gone: gone.signal }
  }

  /** `POST /v1/embeddings`: hashed-word vectors, or the failure a queued scenario names. */
  async function embeddings(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
  ): Promise<void> {
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>
    const parsed = parseEmbeddingsRequest(body)
    const scenario = take(parsed)
    const { record, gone } = recordRequest(req, res, { path, body, parsed, scenario })
    if (scenario && scenario.kind !== 'text') {
      await respond(parsed, scenario, res, record, gone)
      return
    }
    await delay(scenario?.firstByteDelayMs ?? 0, undefined, { signal: gone }).catch(() => {})
    if (gone.aborted) return
    record.state = 'completed'
    sendJson(res, 200, embeddingsBody(parsed, body, scenario?.embeddingIndices))
  }

  async function respond(
    request: ParsedRequest,
    scenario: Scenario | undefined,
    res: ServerResponse,
    record: RecordedRequest,
    gone: AbortSignal,
  ): Promise<void> {
    const effective: Scenario = scenario ?? {
      kind: 'text',
      ...(defaultReply.tokens === undefined
        ? { text: `You said: ${request.lastUserMessage}` }
        : { tokens: defaultReply.tokens }),
      tokensPerSecond: defaultReply.tokensPerSecond,
      firstByteDelayMs: defaultReply.firstByteDelayMs,
    }
    const wait = async (ms: number | undefined) => {
      if (ms && ms > 0) await delay(ms, undefined, { signal: gone }).catch(() => {})
    }
    const complete = () => {
      if (record.state === 'open') record.state = 'completed'
    }

    switch (effective.kind) {
      case 'status': {
        await wait(effective.firstByteDelayMs)
        if (gone.aborted) return
        const headers: Record<string, string> = {}
        if (effective.retryAfterSeconds !== undefined) {
          headers['retry-after'] = String(effective.retryAfterSeconds)
        }
        if (effective.retryAfterMs !== undefined) {
          headers['retry-after-ms'] = String(effective.retryAfterMs)
        }
        const type = effective.errorType ?? defaultErrorTypes[request.api](effective.status)
        complete()
        sendJson(
          res,
          effective.status,
          errorBody(request.api, type, effective.message ?? `fake upstream ${effective.status}`),
          headers,
        )
        return
      }
      case 'context-too-long': {
        complete()
        const message =
          request.api === 'openai'
            ? "This model's maximum context length is 1000 tokens. However, your messages resulted in 2000 tokens."
            : 'prompt is too long: 2000 tokens > 1000 maximum'
        sendJson(
          res,
          400,
          errorBody(request.api, 'invalid_request_error', message, 'context_length_exceeded'),
        )
        return
      }
      case 'hang': {
        await wait(effective.firstByteDelayMs)
        if (effective.afterTokens === undefined || !request.stream) {
          await waitUntil(gone)
          return
        }
        const stream = new WireStream(request, res)
        stream.begin()
        for (const piece of textPieces(replyFor(effective)).slice(0, effective.afterTokens)) {
          if (gone.aborted) return
          stream.text(piece)
          await wait(pace(effective.tokensPerSecond))
        }
        await waitUntil(gone)
        return
      }
      default:
        break
    }

    const reply = replyFor(effective)
    const pieces = textPieces(reply)
    const usageOverride = effective.kind === 'text' ? effective.usage : undefined
    const usage: UsageNumbers = {
      inputTokens: countEncodedTokens(request.promptText),
      outputTokens: pieces.length,
      cachedInputTokens: 0,
      reasoningTokens: 0,
      ...usageOverride,
    }
    const finishReason = effective.kind === 'text' ? (effective.finishReason ?? 'stop') : 'stop'
    await wait(effective.firstByteDelayMs)
    if (gone.aborted) return

    if (!request.stream) {
      if (effective.kind !== 'text') {
        // Failures mid-stream have no buffered equivalent; a buffered client sees the connection drop.
        record.state = 'cut'
        res.destroy()
        return
      }
      complete()
      sendJson(res, 200, bufferedBody(request, reply, usage, finishReason))
      return
    }

    const stream = new WireStream(request, res)
    stream.begin(usage)
    const limit =
      effective.kind === 'cut' || effective.kind === 'stream-error'
        ? effective.afterTokens
        : pieces.length
    for (const [index, piece] of pieces.slice(0, limit).entries()) {
      if (gone.aborted) return
      if (index > 0) await wait(pace(effective.tokensPerSecond))
      if (gone.aborted) return
      stream.text(piece)
    }
    if (effective.kind === 'cut') {
      record.state = 'cut'
      // every streamed chunk reaches the socket first; then the connection ends mid-response
      await stream.flushed()
      await endSocket(res)
      return
    }
    if (effective.kind === 'stream-error') {
      complete()
      stream.error(effective.errorType, effective.message ?? 'fake upstream failure mid-stream')
      return
    }
    complete()
    stream.finish(finishReason, usage)
  }

  async function control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method === 'GET' && path === '/__fake/health') {
      sendJson(res, 200, { ok: true })
    } else if (req.method === 'GET' && path === '/__fake/requests') {
      sendJson(res, 200, requests)
    } else if (req.method === 'POST' && path === '/__fake/reset') {
      reset()
      sendJson(res, 200, { ok: true })
    } else if (req.method === 'POST' && path === '/__fake/scenarios') {
      const parsed = queuedScenariosSchema.safeParse(JSON.parse((await readBody(req)) || 'null'))
      if (!parsed.success) {
        sendJson(res, 400, { error: { message: parsed.error.message } })
        return
      }
      const entries = Array.isArray(parsed.data) ? parsed.data : [parsed.data]
      for (const entry of entries) push(entry.scenario, entry.match)
      sendJson(res, 201, { queued: entries.length })
    } else {
      sendJson(res, 404, { error: { message: `no control route ${req.method} ${path}` } })
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const origin = `http://${host}:${address.port}`

  return {
    origin,
    openaiBaseUrl: `${origin}/v1`,
    anthropicBaseUrl: origin,
    enqueue,
    requests,
    requestsFor: (match) => {
      const parsed = scenarioMatchSchema.parse(match)
      return requests.filter((request) => matches(parsed, request))
    },
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function embeddingsBody(
  request: ParsedRequest,
  body: Record<string, unknown>,
  indices: number[] = request.inputs.map((_, index) => index),
) {
  const dimensions =
    typeof body.dimensions === 'number' && body.dimensions > 0
      ? Math.min(Math.floor(body.dimensions), 8_192)
      : FAKE_EMBEDDING_DIMENSIONS
  const asBase64 = body.encoding_format === 'base64'
  const promptTokens = request.inputs.reduce((total, input) => total + countEncodedTokens(input), 0)
  return {
    object: 'list',
    model: request.model,
    data: indices.map((index, position) => {
      const vector = fakeEmbedding(request.inputs[position] ?? request.inputs[0] ?? '', dimensions)
      return { object: 'embedding', index, embedding: asBase64 ? base64Vector(vector) : vector }
    }),
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  }
}

/** Ends the connection under a response that was never finished, so the client sees it cut. */
function endSocket(res: ServerResponse): Promise<void> {
  const socket = res.socket
  if (!socket || socket.destroyed) return Promise.resolve()
  return new Promise((resolve) => socket.end(() => resolve()))
}

function pace(tokensPerSecond: number | undefined): number {
  return tokensPerSecond && tokensPerSecond > 0 ? 1000 / tokensPerSecond : 0
}

function waitUntil(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve()
    else signal.addEventListener('abort', () => resolve(), { once: true })
  })
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}

function redact(headers: IncomingMessage['headers']): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    result[name] =
      name === 'authorization' || name === 'x-api-key'
        ? '[redacted]'
        : Array.isArray(value)
          ? value.join(', ')
          : value
  }
  return result
}

function bufferedBody(
  request: ParsedRequest,
  text: string,
  usage: UsageNumbers,
  finish: 'stop' | 'length',
) {
  if (request.api === 'openai') {
    return {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: null },
          finish_reason: finish,
          logprobs: null,
        },
      ],
      usage: openaiUsage(usage),
    }
  }
  return {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model: request.model,
    content: [{ type: 'text', text, citations: null }],
    stop_reason: finish === 'stop' ? 'end_turn' : 'max_tokens',
    stop_sequence: null,
    usage: anthropicUsage(usage),
  }
}

/** Server-sent events in either provider's framing. */
class WireStream {
  private readonly request: ParsedRequest
  private readonly res: ServerResponse
  private readonly created = Math.floor(Date.now() / 1000)

  constructor(request: ParsedRequest, res: ServerResponse) {
    this.request = request
    this.res = res
  }

  private pending: Promise<void> = Promise.resolve()

  private send(data: unknown, event?: string): void {
    const payload = typeof data === 'string' ? data : JSON.stringify(data)
    const written = new Promise<void>((resolve) => {
      this.res.write(`${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`, () => resolve())
    })
    this.pending = this.pending.then(() => written)
  }

  /** Resolves once everything sent so far has been handed to the socket. */
  flushed(): Promise<void> {
    return this.pending
  }

  private chunk(delta: Record<string, unknown>, finish: string | null = null): void {
    this.send({
      id: 'chatcmpl-fake',
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.request.model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    })
  }

  /** Anthropic reports input usage up front; `usage` is absent for replies that never finish. */
  begin(usage?: UsageNumbers): void {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    })
    if (this.request.api === 'openai') {
      this.chunk({ role: 'assistant', content: '' })
      return
    }
    this.send(
      {
        type: 'message_start',
        message: {
          id: 'msg_fake',
          type: 'message',
          role: 'assistant',
          model: this.request.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: usage
            ? { ...anthropicUsage(usage), output_tokens: 1, output_tokens_details: null }
            : { input_tokens: 0, output_tokens: 0 },
        },
      },
      'message_start',
    )
    this.send(
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '', citations: null },
      },
      'content_block_start',
    )
    this.send({ type: 'ping' }, 'ping')
  }

  text(text: string): void {
    if (this.request.api === 'openai') this.chunk({ content: text })
    else {
      this.send(
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
        'content_block_delta',
      )
    }
  }

  finish(reason: 'stop' | 'length', usage: UsageNumbers): void {
    if (this.request.api === 'openai') {
      this.chunk({}, reason)
      if (this.request.includeUsage) {
        this.send({
          id: 'chatcmpl-fake',
          object: 'chat.completion.chunk',
          created: this.created,
          model: this.request.model,
          choices: [],
          usage: openaiUsage(usage),
        })
      }
      this.send('[DONE]')
    } else {
      this.send({ type: 'content_block_stop', index: 0 }, 'content_block_stop')
      this.send(
        {
          type: 'message_delta',
          delta: {
            stop_reason: reason === 'stop' ? 'end_turn' : 'max_tokens',
            stop_sequence: null,
          },
          usage: {
            output_tokens: usage.outputTokens,
            output_tokens_details: anthropicUsage(usage).output_tokens_details,
          },
        },
        'message_delta',
      )
      this.send({ type: 'message_stop' }, 'message_stop')
    }
    this.res.end()
  }

  error(type: string | undefined, message: string): void {
    if (this.request.api === 'openai') {
      this.send({ error: { message, type: type ?? 'server_error', param: null, code: null } })
    } else {
      this.send({ type: 'error', error: { type: type ?? 'overloaded_error', message } }, 'error')
    }
    this.res.end()
  }
}
