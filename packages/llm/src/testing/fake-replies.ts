import type { ServerResponse } from 'node:http'
import { setTimeout as delay } from 'node:timers/promises'
import { textPieces } from '../providers/demo/demo-provider.ts'
import { countEncodedTokens } from '../tokens/count-tokens.ts'
import {
  bufferedBody,
  defaultErrorTypes,
  errorBody,
  type ParsedRequest,
  type RecordedRequest,
  sendJson,
  type UsageNumbers,
  WireStream,
} from './fake-wire.ts'
import type { Scenario } from './scenarios.ts'

/** The reply to requests no scenario names: an echo, or `tokens` generated words; unpaced unless given. */
export interface DefaultReply {
  tokens?: number
  tokensPerSecond?: number
  firstByteDelayMs?: number
}

/** One request being answered. */
export interface Exchange {
  request: ParsedRequest
  res: ServerResponse
  record: RecordedRequest
  /** Aborted once the client's connection has closed. */
  gone: AbortSignal
}

type ScenarioOf<K extends Scenario['kind']> = Extract<Scenario, { kind: K }>

/** Answers as `scenario` says, or with the default reply when no scenario named the request. */
export async function respond(
  exchange: Exchange,
  scenario: Scenario | undefined,
  defaultReply: DefaultReply,
): Promise<void> {
  const effective = scenario ?? defaultScenario(exchange.request, defaultReply)
  switch (effective.kind) {
    case 'status':
      return respondWithStatus(exchange, effective)
    case 'context-too-long':
      return respondContextTooLong(exchange)
    case 'hang':
      return hang(exchange, effective)
    default:
      return respondWithText(exchange, effective)
  }
}

function defaultScenario(request: ParsedRequest, defaultReply: DefaultReply): Scenario {
  return {
    kind: 'text',
    ...(defaultReply.tokens === undefined
      ? { text: `You said: ${request.lastUserMessage}` }
      : { tokens: defaultReply.tokens }),
    tokensPerSecond: defaultReply.tokensPerSecond,
    firstByteDelayMs: defaultReply.firstByteDelayMs,
  }
}

/** Waits `ms`, or less if the client goes away. */
async function wait({ gone }: Exchange, ms: number | undefined): Promise<void> {
  if (ms && ms > 0) await delay(ms, undefined, { signal: gone }).catch(() => {})
}

function complete({ record }: Exchange): void {
  if (record.state === 'open') record.state = 'completed'
}

async function respondWithStatus(exchange: Exchange, scenario: ScenarioOf<'status'>) {
  const { request, res, gone } = exchange
  await wait(exchange, scenario.firstByteDelayMs)
  if (gone.aborted) return
  const headers: Record<string, string> = {}
  if (scenario.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(scenario.retryAfterSeconds)
  }
  if (scenario.retryAfterMs !== undefined) {
    headers['retry-after-ms'] = String(scenario.retryAfterMs)
  }
  const type = scenario.errorType ?? defaultErrorTypes[request.api](scenario.status)
  complete(exchange)
  sendJson(
    res,
    scenario.status,
    errorBody(request.api, type, scenario.message ?? `fake upstream ${scenario.status}`),
    headers,
  )
}

function respondContextTooLong(exchange: Exchange): void {
  const { request, res } = exchange
  complete(exchange)
  const message =
    request.api === 'openai'
      ? "This model's maximum context length is 1000 tokens. However, your messages resulted in 2000 tokens."
      : 'prompt is too long: 2000 tokens > 1000 maximum'
  sendJson(
    res,
    400,
    errorBody(request.api, 'invalid_request_error', message, 'context_length_exceeded'),
  )
}

/** Never answers (or stops after `afterTokens` streamed pieces) until the client goes away. */
async function hang(exchange: Exchange, scenario: ScenarioOf<'hang'>): Promise<void> {
  await wait(exchange, scenario.firstByteDelayMs)
  const { request, res, gone } = exchange
  if (scenario.afterTokens === undefined || !request.stream) {
    await waitUntil(gone)
    return
  }
  const stream = new WireStream(request, res)
  stream.begin()
  for (const piece of textPieces(replyFor(scenario)).slice(0, scenario.afterTokens)) {
    if (gone.aborted) return
    stream.text(piece)
    await wait(exchange, pace(scenario.tokensPerSecond))
  }
  await waitUntil(gone)
}

/** A reply, buffered or streamed; a `cut` or `stream-error` scenario breaks it after some pieces. */
async function respondWithText(
  exchange: Exchange,
  scenario: ScenarioOf<'text' | 'cut' | 'stream-error'>,
): Promise<void> {
  const { request, res, record, gone } = exchange
  const reply = replyFor(scenario)
  const pieces = textPieces(reply)
  const usage: UsageNumbers = {
    inputTokens: countEncodedTokens(request.promptText),
    outputTokens: pieces.length,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    ...(scenario.kind === 'text' ? scenario.usage : undefined),
  }
  const finishReason = scenario.kind === 'text' ? (scenario.finishReason ?? 'stop') : 'stop'
  await wait(exchange, scenario.firstByteDelayMs)
  if (gone.aborted) return

  if (!request.stream) {
    if (scenario.kind !== 'text') {
      // Failures mid-stream have no buffered equivalent; a buffered client sees the connection drop.
      record.state = 'cut'
      res.destroy()
      return
    }
    complete(exchange)
    sendJson(res, 200, bufferedBody(request, reply, usage, finishReason))
    return
  }

  const stream = new WireStream(request, res)
  stream.begin(usage)
  const limit = scenario.kind === 'text' ? pieces.length : scenario.afterTokens
  for (const [index, piece] of pieces.slice(0, limit).entries()) {
    if (gone.aborted) return
    if (index > 0) await wait(exchange, pace(scenario.tokensPerSecond))
    if (gone.aborted) return
    stream.text(piece)
  }
  if (scenario.kind === 'cut') {
    record.state = 'cut'
    // every streamed chunk reaches the socket first; then the connection ends mid-response
    await stream.flushed()
    await endSocket(res)
    return
  }
  complete(exchange)
  if (scenario.kind === 'stream-error') {
    stream.error(scenario.errorType, scenario.message ?? 'fake upstream failure mid-stream')
    return
  }
  stream.finish(finishReason, usage)
}

const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel']

/** The text a scenario replies with. */
function replyFor(scenario: { text?: string | undefined; tokens?: number | undefined }): string {
  if (scenario.text !== undefined) return scenario.text
  const count = scenario.tokens ?? 8
  return Array.from({ length: count }, (_, i) => words[i % words.length]).join(' ')
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
