import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'
import type { z } from 'zod'
import { type DefaultReply, type Exchange, respond } from './fake-replies.ts'
import {
  type Api,
  embeddingsBody,
  type ParsedRequest,
  parseEmbeddingsRequest,
  parseRequest,
  type RecordedRequest,
  readBody,
  redact,
  sendJson,
} from './fake-wire.ts'
import {
  queuedScenariosSchema,
  type Scenario,
  type ScenarioMatch,
  scenarioMatchSchema,
  scenarioSchema,
} from './scenarios.ts'

export type { Api, RecordedRequest } from './fake-wire.ts'

export interface FakeUpstreamOptions {
  /** Defaults to 127.0.0.1. */
  host?: string
  /** Defaults to 0: a free port chosen by the OS. */
  port?: number
  /** The reply to requests no scenario names: an echo, or `tokens` generated words; unpaced unless given. */
  defaultReply?: DefaultReply
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

/** Queued scenarios, each taken by the requests its match names, `times` times. */
class ScenarioQueue {
  private readonly queue: Queued[] = []

  push(scenario: Scenario, match: ParsedMatch): void {
    const parsed = scenarioSchema.parse(scenario)
    const times = parsed.times ?? 1
    this.queue.push({
      scenario: parsed,
      match,
      remaining: times === 'always' ? Number.POSITIVE_INFINITY : times,
    })
  }

  /** The first queued scenario that names `request`, used up once more. */
  take(request: ParsedRequest): Scenario | undefined {
    const index = this.queue.findIndex((entry) => matches(entry.match, request))
    const entry = this.queue[index]
    if (!entry) return undefined
    entry.remaining -= 1
    if (entry.remaining <= 0) this.queue.splice(index, 1)
    return entry.scenario
  }

  clear(): void {
    this.queue.length = 0
  }
}

/** Every request received, in order, with its state kept up to date. */
class RequestLog {
  readonly requests: RecordedRequest[] = []
  private nextId = 1

  /** Records a request being answered; the signal aborts once its client's connection closes. */
  open(
    req: IncomingMessage,
    res: ServerResponse,
    seen: { path: string; body: unknown; parsed: ParsedRequest; scenario: Scenario | undefined },
  ): Exchange {
    const { parsed } = seen
    const record: RecordedRequest = {
      id: this.nextId++,
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
    this.requests.push(record)
    const gone = new AbortController()
    res.once('close', () => {
      if (record.state === 'open' && !res.writableFinished) {
        record.state = 'disconnected'
        record.disconnected = true
      }
      gone.abort()
    })
    return { request: parsed, res, record, gone: gone.signal }
  }
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
  const scenarios = new ScenarioQueue()
  const log = new RequestLog()
  const defaultReply = options.defaultReply ?? {}
  const reset = () => {
    scenarios.clear()
    log.requests.length = 0
  }
  const answer = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const route = routeOf(req.method, path)
    if (route === 'control') return control(req, res, path, { scenarios, log, reset })
    if (!route)
      return sendJson(res, 404, { error: { message: `no route for ${req.method} ${path}` } })
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>
    const parsed = route === 'embeddings' ? parseEmbeddingsRequest(body) : parseRequest(route, body)
    const scenario = scenarios.take(parsed)
    const exchange = log.open(req, res, { path, body, parsed, scenario })
    if (route === 'embeddings') return embeddings(exchange, body, scenario, defaultReply)
    return respond(exchange, scenario, defaultReply)
  }
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname
    answer(req, res, path).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error) } })
      else res.destroy()
    })
  })

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
    enqueue: (scenario, match) => scenarios.push(scenario, scenarioMatchSchema.parse(match)),
    requests: log.requests,
    requestsFor: (match) => {
      const parsed = scenarioMatchSchema.parse(match)
      return log.requests.filter((request) => matches(parsed, request))
    },
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function routeOf(
  method: string | undefined,
  path: string,
): Api | 'embeddings' | 'control' | undefined {
  if (path.startsWith('/__fake/')) return 'control'
  if (method !== 'POST') return undefined
  if (path === '/v1/chat/completions') return 'openai'
  if (path === '/v1/messages') return 'anthropic'
  if (path === '/v1/embeddings') return 'embeddings'
  return undefined
}

/** `POST /v1/embeddings`: hashed-word vectors, or the failure a queued scenario names. */
async function embeddings(
  exchange: Exchange,
  body: Record<string, unknown>,
  scenario: Scenario | undefined,
  defaultReply: DefaultReply,
): Promise<void> {
  if (scenario && scenario.kind !== 'text') return respond(exchange, scenario, defaultReply)
  const { gone, record, res, request } = exchange
  await delay(scenario?.firstByteDelayMs ?? 0, undefined, { signal: gone }).catch(() => {})
  if (gone.aborted) return
  record.state = 'completed'
  sendJson(res, 200, embeddingsBody(request, body, scenario?.embeddingIndices))
}

/** `/__fake/*`: health, the recorded requests, reset, and scenarios queued over HTTP. */
async function control(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  state: { scenarios: ScenarioQueue; log: RequestLog; reset: () => void },
): Promise<void> {
  if (req.method === 'GET' && path === '/__fake/health') {
    sendJson(res, 200, { ok: true })
  } else if (req.method === 'GET' && path === '/__fake/requests') {
    sendJson(res, 200, state.log.requests)
  } else if (req.method === 'POST' && path === '/__fake/reset') {
    state.reset()
    sendJson(res, 200, { ok: true })
  } else if (req.method === 'POST' && path === '/__fake/scenarios') {
    const parsed = queuedScenariosSchema.safeParse(JSON.parse((await readBody(req)) || 'null'))
    if (!parsed.success) {
      sendJson(res, 400, { error: { message: parsed.error.message } })
      return
    }
    const entries = Array.isArray(parsed.data) ? parsed.data : [parsed.data]
    for (const entry of entries) state.scenarios.push(entry.scenario, entry.match)
    sendJson(res, 201, { queued: entries.length })
  } else {
    sendJson(res, 404, { error: { message: `no control route ${req.method} ${path}` } })
  }
}
