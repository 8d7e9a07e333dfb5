import type { IncomingMessage, ServerResponse } from 'node:http'
import { countEncodedTokens } from '../tokens/count-tokens.ts'
import { base64Vector, FAKE_EMBEDDING_DIMENSIONS, fakeEmbedding } from './fake-embeddings.ts'
import type { Scenario } from './scenarios.ts'

// What the fake upstream reads and writes: the providers' request and response bodies, their
// server-sent events, and the record it keeps of each request.

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

export interface ParsedRequest {
  api: Api
  model: string
  stream: boolean
  includeUsage: boolean
  lastUserMessage: string
  promptText: string
  inputs: string[]
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

export function parseRequest(api: Api, body: Record<string, unknown>): ParsedRequest {
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

export function parseEmbeddingsRequest(body: Record<string, unknown>): ParsedRequest {
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

export interface UsageNumbers {
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

export const defaultErrorTypes: Record<Api, (status: number) => string> = {
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

export function errorBody(api: Api, type: string, message: string, code: string | null = null) {
  return api === 'openai'
    ? { error: { message, type, param: null, code } }
    : { type: 'error', error: { type, message } }
}

export function embeddingsBody(
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

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

export function sendJson(
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

export function redact(headers: IncomingMessage['headers']): Record<string, string> {
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

export function bufferedBody(
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
export class WireStream {
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
