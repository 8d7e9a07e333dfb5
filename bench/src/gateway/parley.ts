import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createParser } from 'eventsource-parser'
import { type Child, freePort, removeOnExit, startNode } from './processes.ts'
import type { Target, Timing } from './targets.ts'

/** Each account starts a new conversation after this many turns, so contexts stay alike. */
const turnsPerConversation = 10

interface Account {
  token: string
  conversations: string[]
  /** The last reply of each of the account's conversations, which its next send names. */
  leaves: Map<string, string>
  turns: number
}

export interface Parley extends Target {
  /**
   * A turn in the user's current conversation; the send names the reply it follows unless
   * `nameLeaf` is false. `followed`: the conversation had a reply to follow.
   */
  turn(
    user: number,
    prompt: string,
    options?: { nameLeaf: boolean },
  ): Promise<Timing & { followed: boolean }>
  api: Child
  pid: number
  /** Makes sure every account has a conversation ready for each of its next `turns[i]` turns. */
  prepare(turns: readonly number[]): Promise<void>
  /** Turns whose model call started before the turn was stored, kept or stopped so far. */
  earlyCalls(): Promise<{ kept: number; stopped: number }>
  stop(): Promise<void>
}

/** The token the bench's API processes serve `/metrics` to. */
const metricsToken = 'gateway-bench-metrics'

export interface ParleyOptions {
  name: string
  upstreamOrigin: string
  accounts: number
  /** Postgres mode; embedded PGlite without it. */
  databaseUrl?: string
  /** `PARLEY_EARLY_CALLS`; unset, the API's default (on with Postgres, off embedded). */
  earlyCalls?: boolean
}

/** The real API (`apps/api/src/server.ts`) as a child process, with its own signed-up accounts. */
export async function startParley(options: ParleyOptions): Promise<Parley> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'parley-gateway-bench-'))
  removeOnExit(dataDir)
  const port = await freePort()
  const api = await startNode({
    name: `the API (${options.name})`,
    args: ['apps/api/src/server.ts'],
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      PARLEY_DATA_DIR: dataDir,
      PARLEY_WEB_DIST: path.join(dataDir, 'no-web'),
      OPENAI_API_KEY: 'bench',
      OPENAI_BASE_URL: `${options.upstreamOrigin}/v1`,
      LOG_LEVEL: 'info',
      PARLEY_METRICS_TOKEN: metricsToken,
      // The bench's users send far more than a person would: the limits are checked (and cost
      // their statement per request) but never refuse.
      PARLEY_RATE_LIMIT_REQUESTS: '1000000',
      PARLEY_RATE_LIMIT_TURNS: '100000',
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...(options.earlyCalls === undefined
        ? {}
        : { PARLEY_EARLY_CALLS: String(options.earlyCalls) }),
    },
    ready: (line) => line.includes('"msg":"listening"'),
    timeoutMs: 120_000,
  }).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true })
    throw error
  })
  const client = apiClient(`http://127.0.0.1:${port}`)
  try {
    const accounts: Account[] = []
    for (let i = 0; i < options.accounts; i++) {
      const token = await client.signUp(`bench-${i}@example.test`)
      accounts.push({ token, conversations: [], leaves: new Map(), turns: 0 })
    }
    return parleyTarget(options.name, api, client, accounts, dataDir)
  } catch (error) {
    await api.stop()
    await rm(dataDir, { recursive: true, force: true })
    throw error
  }
}

function parleyTarget(
  name: string,
  api: Child,
  client: ApiClient,
  accounts: Account[],
  dataDir: string,
): Parley {
  /** The conversation of the account's turn `turn` (counted from 0), created if need be. */
  const conversationOf = async (account: Account, turn: number) => {
    const index = Math.floor(turn / turnsPerConversation)
    while (account.conversations.length <= index) {
      account.conversations.push(await client.createConversation(account.token))
    }
    return account.conversations[index] as string
  }
  const target: Parley = {
    name,
    api,
    pid: api.pid,
    turns: 0,
    async turn(user, prompt, options = { nameLeaf: true }) {
      const account = accounts[user]
      if (!account) throw new Error(`no account ${user}`)
      const conversation = await conversationOf(account, account.turns)
      account.turns++
      target.turns++
      const leaf = account.leaves.get(conversation)
      const timing = await client.send(
        account.token,
        conversation,
        prompt,
        options.nameLeaf ? leaf : undefined,
      )
      if (timing.replyId) account.leaves.set(conversation, timing.replyId)
      return { ...timing, followed: leaf !== undefined }
    },
    async prepare(turns) {
      await Promise.all(
        accounts.map((account, i) => conversationOf(account, account.turns + (turns[i] ?? 1) - 1)),
      )
    },
    async earlyCalls() {
      const text = await client.metrics()
      const count = (outcome: string) =>
        Number(
          new RegExp(`parley_early_calls_total\\{outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ??
            0,
        )
      return { kept: count('kept'), stopped: count('stopped') }
    },
    async stop() {
      await api.stop()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
  return target
}

type ApiClient = ReturnType<typeof apiClient>

function apiClient(apiUrl: string) {
  const json = async <T>(response: Response, what: string): Promise<T> => {
    if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`)
    return (await response.json()) as T
  }

  return {
    /** Signs up through the API's own GoTrue-compatible `/auth/v1/signup`; returns the access token. */
    async signUp(email: string): Promise<string> {
      const response = await fetch(`${apiUrl}/auth/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'bench password' }),
      })
      return (await json<{ access_token: string }>(response, 'sign-up')).access_token
    },

    /** A titled conversation, so that no title is generated during the measured turns. */
    async createConversation(token: string): Promise<string> {
      const response = await fetch(`${apiUrl}/api/v1/conversations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Benchmark' }),
      })
      return (await json<{ id: string }>(response, 'create a conversation')).id
    },

    async metrics(): Promise<string> {
      const response = await fetch(`${apiUrl}/metrics`, {
        headers: { authorization: `Bearer ${metricsToken}` },
      })
      if (!response.ok) throw new Error(`metrics: HTTP ${response.status}`)
      return response.text()
    },

    send: (token: string, conversation: string, prompt: string, leafId: string | undefined) =>
      streamTurn(`${apiUrl}/api/v1/conversations/${conversation}/messages`, token, prompt, leafId),
  }
}

/** Sends a message and reads the reply's server-sent events to the end. */
export async function streamTurn(
  url: string,
  token: string,
  prompt: string,
  leafId?: string,
): Promise<Timing & { replyId: string | undefined }> {
  const started = performance.now()
  let ttftMs = 0
  let done = false
  let replyId: string | undefined
  let failure = ''
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'text/event-stream',
    },
    // Like the web app, the send names the reply it follows.
    body: JSON.stringify({ content: prompt, ...(leafId ? { leafId } : {}) }),
  })
  if (!response.ok || !response.body) {
    throw new Error(`send a message: HTTP ${response.status} ${await response.text()}`)
  }
  const parser = createParser({
    onEvent(event) {
      if (event.event === 'delta' && ttftMs === 0) ttftMs = performance.now() - started
      else if (event.event === 'done') {
        done = true
        replyId = (JSON.parse(event.data) as { assistantMessage?: { id?: string } })
          .assistantMessage?.id
      } else if (event.event === 'error') failure = event.data.slice(0, 300)
    },
  })
  const decoder = new TextDecoder()
  for await (const chunk of response.body) parser.feed(decoder.decode(chunk, { stream: true }))
  if (failure) throw new Error(`the turn ended with an error event: ${failure}`)
  if (!done || ttftMs === 0) throw new Error('the stream ended without a delta and `done`')
  return { ttftMs, totalMs: performance.now() - started, replyId }
}
