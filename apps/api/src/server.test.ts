import { randomUUID } from 'node:crypto'
import { inspect, testDatabaseUrl } from '@parley/db/testing'
import { type FakeUpstream, startFakeUpstream } from '@parley/llm/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiProcess, startApiProcess } from './testing/api-process.ts'
import { chatModel, readEvents, streamedReplyId, streamedText } from './testing/test-server.ts'

let fake: FakeUpstream
beforeAll(async () => {
  fake = await startFakeUpstream()
})
afterAll(() => fake?.close())

const graceMs = 300

const databases = [
  { name: 'embedded PGlite', url: undefined },
  ...(testDatabaseUrl ? [{ name: 'Postgres', url: testDatabaseUrl }] : []),
]

describe.each(databases)('SIGTERM mid-reply on $name', ({ url }) => {
  let api: ApiProcess
  beforeAll(async () => {
    api = await startApiProcess({
      databaseUrl: url,
      env: {
        OPENAI_API_KEY: 'test-openai-key',
        OPENAI_BASE_URL: fake.openaiBaseUrl,
        PARLEY_DEFAULT_MODEL: chatModel,
        PARLEY_SHUTDOWN_GRACE_MS: String(graceMs),
        // Log rows wait for the drain: only it writes them before the process exits.
        PARLEY_LOG_FLUSH_MS: '600000',
      },
    })
  })
  afterAll(() => api?.cleanUp())

  it('ends the stream with a final event, keeps every character sent and the usage, and exits by itself', async () => {
    const token = await api.signUp()
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const created = await fetch(`${api.url}/api/v1/conversations`, {
      method: 'POST',
      headers,
      body: '{}',
    })
    const conversation = (await created.json()) as { id: string }
    const content = `a long answer, please ${randomUUID()}`
    // Far longer than the grace period at this pace: the shutdown has to cut it.
    fake.enqueue({ kind: 'text', tokens: 5_000, tokensPerSecond: 50 }, { lastUserMessage: content })

    const response = await fetch(`${api.url}/api/v1/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { ...headers, accept: 'text/event-stream' },
      body: JSON.stringify({ content }),
    })
    const events = await readEvents(response, (event) => {
      if (event.event === 'delta' && api.child.signalCode === null) api.child.kill('SIGTERM')
      return undefined
    })
    // The watchdog exits with 1 when the drain overruns grace + 5 s; a clean drain exits with 0.
    expect(await api.exited).toBe(0)

    const received = streamedText(events)
    expect(received.length).toBeGreaterThan(0)
    expect(events.at(-1)).toMatchObject({
      event: 'error',
      data: { error: { code: 'draining' }, saved: true },
    })
    const replyId = streamedReplyId(events)
    const db = await api.openDatabase()
    try {
      const reply = (await inspect.messages(db, conversation.id)).find((m) => m.id === replyId)
      expect(reply).toMatchObject({ status: 'incomplete', error: { code: 'server_shutdown' } })
      expect(reply?.content.startsWith(received)).toBe(true)
      expect(await inspect.usageOfMessage(db, replyId)).toMatchObject([{ status: 'aborted' }])
      // What the last requests recorded reached the database before it closed.
      const activity = await db.asOwner((sql) =>
        sql.query('select type from public.activity_log where target_id = $1', [conversation.id]),
      )
      expect(activity).toEqual([{ type: 'conversation_created' }])
    } finally {
      await db.close()
    }
  })
})
