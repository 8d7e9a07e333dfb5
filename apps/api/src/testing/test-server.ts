import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { serve } from '@hono/node-server'
import { authStore, type Database, type Quotas } from '@parley/db'
import { createTestDatabase, createTestUser, type TestUser } from '@parley/db/testing'
import { createEmbedder, defaultRetryPolicy, type Embedder } from '@parley/llm'
import { type FakeUpstream, startFakeUpstream } from '@parley/llm/testing'
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import pino from 'pino'
import { createApp } from '../app.ts'
import { signAccessToken } from '../auth-local/sessions.ts'
import { createEphemeralSigningKey } from '../auth-local/signing-key.ts'
import { type AppDeps, type BuildOptions, buildDeps } from '../deps.ts'
import { createFileStorage } from '../services/file-storage/index.ts'

export interface TestServer {
  url: string
  app: ReturnType<typeof createApp>
  deps: AppDeps
  db: Database
  fake: FakeUpstream
  /** A user with a profile, and (in embedded mode) an access token the API accepts. */
  user(options?: { admin?: boolean }): Promise<TestUser & { token: string }>
  /** An access token this server accepts for an existing user (made by another test server). */
  tokenFor(user: TestUser): Promise<string>
  /** `fetch` against the running server with the user's token. */
  call(token: string, path: string, init?: RequestInit & { json?: unknown }): Promise<Response>
  /** Creates an empty conversation for the user; returns its id. */
  newConversation(token: string): Promise<string>
  /** Sends a message to a conversation, asking for the reply as server-sent events. */
  sendStreamed(
    token: string,
    conversationId: string,
    body: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<Response>
  close(): Promise<void>
}

/** The embedding model of servers with semantic search on. */
export const embeddingModel = 'text-embedding-3-small'

/**
 * The fake upstream's embeddings through the real SDK, for a server built before its fake
 * upstream is known: `baseUrl` is read at each call.
 */
export function fakeEmbedder(baseUrl: () => string): Embedder {
  return {
    model: embeddingModel,
    dimensions: null,
    embed: (texts, options) =>
      createEmbedder({
        baseURL: baseUrl(),
        apiKey: 'test-openai-key',
        model: embeddingModel,
        retry: { ...defaultRetryPolicy, baseDelayMs: 5, maxDelayMs: 20 },
      }).embed(texts, options),
  }
}

/** The OpenAI and Anthropic models tests aim scenarios at. */
export const chatModel = 'gpt-6.1-terra'
export const fallbackModel = 'claude-sonnet-5-5'

/**
 * The real app on a real port, around a cloned PGlite and the fake upstream (reached through the
 * official SDKs) as both the OpenAI and the Anthropic provider.
 */
export async function startTestServer(
  overrides: Partial<BuildOptions> & {
    /** Wraps the database the app uses (tests that make some of its writes fail). */
    wrapDb?: (db: Database) => Database
    /** Per-user limits the database enforces (default: the migration's). */
    quotas?: Quotas
    /** Semantic search on, with the fake upstream's embeddings (default off: keyword only). */
    embeddings?: boolean
  } = {},
): Promise<TestServer> {
  const { wrapDb, quotas, embeddings, ...options } = overrides
  const db = await createTestDatabase(quotas ? { quotas } : {})
  // Uploaded originals, in a folder of this server's own (unless the test brings its storage).
  const filesDir = await mkdtemp(path.join(tmpdir(), 'parley-test-files-'))
  const fake = await startFakeUpstream()
  const signingKey = await createEphemeralSigningKey()
  const logger = pino({ level: 'silent' })
  const deps = await buildDeps(
    {
      db: wrapDb ? wrapDb(db) : db,
      mode: 'embedded',
      providers: {
        openai: { apiKey: 'test-openai-key', baseUrl: fake.openaiBaseUrl },
        anthropic: { apiKey: 'test-anthropic-key', baseUrl: fake.anthropicBaseUrl },
      },
      defaultModel: chatModel,
      fallbacks: { [chatModel]: [fallbackModel] },
      router: {
        retry: { baseDelayMs: 5, maxDelayMs: 20, retryAfterCapMs: 2_000, ttftTimeoutMs: 5_000 },
        circuit: { failureThreshold: 50 },
      },
      auth: { kind: 'local', signingKey, accessTokenTtlSeconds: 3600 },
      webDist: '/nonexistent',
      maxConcurrentStreams: 3,
      progressIntervalMs: 50,
      // `done` carries the title when it comes within this; long, so a busy machine does not change it.
      titleWaitMs: 30_000,
      // A closed connection stops its reply at once, as a Stop; reattach tests ask for a grace.
      reattachGraceMs: 0,
      settleRetry: { baseDelayMs: 5, maxDelayMs: 20 },
      // Its own rate limit counters, as if its database were its own (on TEST_DATABASE_URL it is shared).
      rateLimitScope: `test-${randomUUID()}:`,
      files: {
        storage: createFileStorage({ kind: 'local', directory: filesDir }),
        embedder: embeddings
          ? createEmbedder({
              baseURL: fake.openaiBaseUrl,
              apiKey: 'test-openai-key',
              model: embeddingModel,
              retry: { ...defaultRetryPolicy, baseDelayMs: 5, maxDelayMs: 20 },
            })
          : undefined,
      },
      ...options,
    },
    logger,
  )
  const app = createApp(deps, logger)
  // Tokens for test users: signed by the embedded auth server's key (embedded mode only).
  const settings = deps.localAuth
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((resolve) => server.once('listening', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const call: TestServer['call'] = (token, path, init = {}) => {
    const { json, headers, ...rest } = init
    return fetch(`${url}${path}`, {
      ...rest,
      headers: {
        authorization: `Bearer ${token}`,
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    })
  }
  const tokenFor = async (user: TestUser): Promise<string> => {
    if (!settings) return ''
    const row = await db.asService((tx) => authStore.getAuthUser(tx, user.id))
    if (!row) throw new Error('the test user exists')
    return (await signAccessToken(settings, row, randomUUID())).token
  }

  return {
    url,
    app,
    deps,
    db,
    fake,
    async user(options = {}) {
      const user = await createTestUser(db, options)
      return { ...user, token: await tokenFor(user) }
    },
    tokenFor,
    call,
    async newConversation(token) {
      const response = await call(token, '/api/v1/conversations', { method: 'POST', json: {} })
      if (response.status !== 201) throw new Error(`conversation not created: ${response.status}`)
      return ((await response.json()) as { id: string }).id
    },
    sendStreamed(token, conversationId, body, signal) {
      return call(token, `/api/v1/conversations/${conversationId}/messages`, {
        method: 'POST',
        json: body,
        headers: { accept: 'text/event-stream' },
        ...(signal ? { signal } : {}),
      })
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await Promise.all([
        deps.activity.flush(),
        deps.errors.flush(),
        deps.files.ingest.stop(),
        deps.messageEmbeddings?.stop(),
      ])
      await fake.close()
      await db.close()
      await rm(filesDir, { recursive: true, force: true })
    },
  }
}

export interface ParsedEvent {
  event: string
  data: unknown
}

/** Reads a whole SSE response with a real SSE parser; `onEvent` may stop reading early. */
export async function readEvents(
  response: Response,
  onEvent?: (event: ParsedEvent, all: ParsedEvent[]) => boolean | undefined,
): Promise<ParsedEvent[]> {
  const events: ParsedEvent[] = []
  let stop = false
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      const event = { event: message.event ?? 'message', data: JSON.parse(message.data) }
      events.push(event)
      if (onEvent?.(event, events)) stop = true
    },
  })
  const reader = response.body?.getReader()
  if (!reader) throw new Error('the response has a body')
  const decoder = new TextDecoder()
  while (!stop) {
    const { done, value } = await reader.read()
    if (done) break
    parser.feed(decoder.decode(value, { stream: true }))
  }
  if (stop) await reader.cancel()
  return events
}

/**
 * Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`: a guard
 * against a hang, generous because a machine whose cores are busy is slow, not wrong.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** The text of a streamed reply: its `delta` events, joined. */
export const streamedText = (events: ParsedEvent[]) =>
  events
    .filter((e) => e.event === 'delta')
    .map((e) => (e.data as { text: string }).text)
    .join('')

/** The id of the reply a stream's `start` event announced. */
export function streamedReplyId(events: ParsedEvent[]): string {
  const start = events[0]
  if (start?.event !== 'start') throw new Error('the stream begins with a start event')
  return (start.data as { assistantMessage: { id: string } }).assistantMessage.id
}
