import { randomUUID } from 'node:crypto'
import { createDatabase, type Database, getConversation, isTransientDbError } from '@parley/db'
import { inspect, type TestUser, testDatabaseUrl } from '@parley/db/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  eventually,
  type ParsedEvent,
  readEvents,
  startTestServer,
  streamedReplyId,
  streamedText,
  type TestServer,
} from '../testing/test-server.ts'

/**
 * The database really failing under a streaming reply: the server terminates every connection the
 * API holds, and every one it opens again, for a while. Runs with `TEST_DATABASE_URL` set (see
 * docs/development.md) and is skipped without it.
 */
describe.skipIf(!testDatabaseUrl)('a reply while Postgres drops its connections', () => {
  let admin: Database
  let database: string
  let server: TestServer
  beforeAll(async () => {
    const url = new URL(testDatabaseUrl ?? '')
    database = decodeURIComponent(url.pathname.slice(1))
    // Outside the database under test: the connections it ends are only the API's.
    url.pathname = '/postgres'
    admin = await createDatabase({ kind: 'postgres', url: url.toString(), maxConnections: 1 })
    server = await startTestServer()
  })
  afterAll(async () => {
    await server?.close()
    await admin?.close()
  })

  /**
   * Ends every connection the API has to its database, again and again until `until` resolves:
   * each reconnect is cut within a moment, as while a database restarts.
   */
  async function outageUntil(until: Promise<unknown>) {
    let over = false
    void until.finally(() => {
      over = true
    })
    while (!over) {
      await admin.ownerStatement(
        `select pg_terminate_backend(pid) from pg_stat_activity
          where datname = $1 and pid <> pg_backend_pid()`,
        [database],
      )
    }
  }

  async function startReply(text: string) {
    const user = await server.user()
    const content = `postgres outage ${randomUUID()}`
    server.fake.enqueue({ kind: 'text', text, tokensPerSecond: 40 }, { lastUserMessage: content })
    const conversationId = await server.newConversation(user.token)
    const response = await server.sendStreamed(user.token, conversationId, { content })
    expect(response.status).toBe(200)
    return { user, conversationId, response }
  }

  /** A read after the outage: the first statement on a connection it ended fails, and is retried. */
  const read = <T>(query: () => Promise<T>) =>
    eventually(() =>
      query().catch((error: unknown) => {
        if (isTransientDbError(error)) return undefined
        throw error
      }),
    )

  /** What the database holds of a turn once its reply is no longer `streaming`. */
  async function storedTurn(user: TestUser, conversationId: string, replyId: string) {
    const rows = await eventually(async () => {
      const all = await read(() => inspect.messages(server.db, conversationId))
      return all.every((m) => m.status !== 'streaming') && all
    })
    const usage = await read(() => inspect.usageOfMessage(server.db, replyId))
    const conversation = await read(() =>
      server.db.withUser(user.claims, (tx) => getConversation(tx, conversationId)),
    )
    return { reply: rows.find((m) => m.id === replyId), rows, usage, conversation }
  }

  function expectOneSettledTurn(
    events: ParsedEvent[],
    stored: Awaited<ReturnType<typeof storedTurn>>,
  ) {
    const received = streamedText(events)
    expect(stored.reply).toMatchObject({ status: 'complete', content: received })
    expect(stored.rows.filter((m) => m.status === 'streaming')).toEqual([])
    expect(stored.usage).toHaveLength(1)
    const [usage] = stored.usage
    expect(usage).toMatchObject({ status: 'ok' })
    expect(stored.conversation).toMatchObject({
      inputTokens: usage?.inputTokens,
      outputTokens: usage?.outputTokens,
      costMicroUsd: usage?.costMicroUsd,
    })
  }

  /**
   * The client got the whole reply and a final `done` that tells the truth: `saved` only when the
   * reply was stored before the client was told, else it is stored once the database is back.
   * Either way: one complete reply with every character, one usage row, matching totals.
   */
  async function expectKeptOnce(
    events: ParsedEvent[],
    user: TestUser,
    conversationId: string,
    text: string,
  ) {
    expect(streamedText(events)).toBe(text)
    const last = events.at(-1)
    expect(last).toMatchObject({
      event: 'done',
      data: { assistantMessage: { status: 'complete', content: text } },
    })
    const replyId = streamedReplyId(events)
    if ((last?.data as { saved?: boolean } | undefined)?.saved) {
      const rows = await read(() => inspect.messages(server.db, conversationId))
      expect(rows.find((m) => m.id === replyId)).toMatchObject({
        status: 'complete',
        content: text,
      })
    } else {
      await eventually(() => !server.deps.turns.ownedReplyIds.includes(replyId))
    }
    expectOneSettledTurn(events, await storedTurn(user, conversationId, replyId))
  }

  const words = (n: number) =>
    Array.from({ length: n }, (_, i) => `word${i}`)
      .join(' ')
      .concat('.')

  /** A promise and the function that resolves it. */
  function signal() {
    let fire = () => {}
    const fired = new Promise<void>((resolve) => {
      fire = resolve
    })
    return { fire, fired }
  }

  it('keeps every character the client got when its end comes while connections are cut', async () => {
    const { user, conversationId, response } = await startReply(words(60))
    const ended = signal()
    let outage: Promise<void> | undefined
    const events = await readEvents(response, (event) => {
      if (event.event === 'delta') outage ??= outageUntil(ended.fired)
      return undefined
    })
    ended.fire()
    await outage

    await expectKeptOnce(events, user, conversationId, words(60))
  })

  it('keeps streaming through cut connections between progress writes, and keeps the end', async () => {
    const { user, conversationId, response } = await startReply(words(80))
    const back = signal()
    let outage: Promise<void> | undefined
    const events = await readEvents(response, (event, all) => {
      if (event.event !== 'delta') return undefined
      outage ??= outageUntil(back.fired)
      // Back well before the end: the first fifth of the reply streamed while connections were cut.
      if (streamedText(all).length > words(80).length / 5) back.fire()
      return undefined
    })
    await outage

    await expectKeptOnce(events, user, conversationId, words(80))
  })
})
