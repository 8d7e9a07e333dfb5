import { randomUUID } from 'node:crypto'
import { createConversation, getConversation, updateConversation } from '@parley/db'
import { inspect } from '@parley/db/testing'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../errors.ts'
import { startTestServer, type TestServer } from '../../testing/test-server.ts'
import { StreamLimiter } from '../stream-limiter.ts'
import { buildTurnRequest } from './build-request.ts'
import { type ChatTurnDeps, createChatTurns, type PreparedTurn, type TurnOutcome } from './index.ts'
import { LiveTurns } from './live-turns.ts'
import { endError, replyStatus } from './outcome.ts'
import { citedPassages } from './settle.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server?.close())

/** Chat turns over the test server's database and models, with the given seams. */
async function turnsWith(seams: Pick<ChatTurnDeps, 'admission' | 'context' | 'settle'>) {
  const turns = createChatTurns({
    db: server.db,
    models: server.deps.models,
    streams: new StreamLimiter({ db: server.db, max: 3 }),
    titleWaitMs: 0,
    ...seams,
  })
  const user = await server.user()
  const conversation = await server.db.withUser(user.claims, (tx) => createConversation(tx, {}))
  const ctx = { claims: user.claims, requestId: 'steps-test', logger: pino({ level: 'silent' }) }
  return { turns, ctx, conversationId: conversation.id }
}

describe('the admission seam', () => {
  it('refuses a turn before anything is sent upstream, and keeps none of its rows', async () => {
    const { turns, ctx, conversationId } = await turnsWith({
      admission: [
        async () => {
          throw new AppError('rate_limited', 'not now')
        },
      ],
    })
    await expect(
      turns.start(ctx, { kind: 'send', conversationId, content: 'admission refused me' }),
    ).rejects.toMatchObject({ code: 'rate_limited' })
    expect(await inspect.messages(server.db, conversationId)).toEqual([])
    expect(server.fake.requestsFor({ lastUserMessage: 'admission refused me' })).toEqual([])
  })

  it('settles an admission in the transaction that records the outcome', async () => {
    const settled: TurnOutcome[] = []
    const { turns, ctx, conversationId } = await turnsWith({
      admission: [async () => ({ settle: async (_tx, outcome) => void settled.push(outcome) })],
    })
    server.fake.enqueue({ kind: 'text', text: 'admitted' }, { lastUserMessage: 'admit me' })
    const turn = await turns.start(ctx, { kind: 'send', conversationId, content: 'admit me' })
    const end = await turn.run(new AbortController().signal, () => {})
    expect(settled).toHaveLength(1)
    expect(settled[0]?.report.text).toBe('admitted')
    expect(settled[0]?.assistantMessage?.id).toBe(end.assistantMessage.id)
  })
})

describe('the settle seam', () => {
  it('rolls the whole outcome back with a failing step, and never leaves the reply streaming', async () => {
    const { turns, ctx, conversationId } = await turnsWith({
      settle: [
        async (tx, _ctx, outcome) => {
          await updateConversation(tx, outcome.turn.conversation.id, { title: 'never kept' })
          throw new Error('rollup failed')
        },
      ],
    })
    server.fake.enqueue(
      { kind: 'text', text: 'never settled' },
      { lastUserMessage: 'settle fails' },
    )
    const turn = await turns.start(ctx, { kind: 'send', conversationId, content: 'settle fails' })
    await expect(turn.run(new AbortController().signal, () => {})).rejects.toThrow('rollup failed')
    const reply = (await inspect.messages(server.db, conversationId)).find(
      (m) => m.role === 'assistant',
    )
    expect(reply).toMatchObject({ status: 'incomplete', content: 'never settled' })
    expect(await inspect.usageOfMessage(server.db, reply?.id ?? '')).toEqual([])
    const conversation = await server.db.withUser(ctx.claims, (tx) =>
      getConversation(tx, conversationId),
    )
    expect(conversation).toMatchObject({ title: null, inputTokens: 0 })
  })
})

describe('the context seam', () => {
  const source = {
    chunkId: randomUUID(),
    fileId: randomUUID(),
    fileName: 'handbook.md',
    page: null,
    headingPath: ['Hours'],
    snippet: 'The office opens at nine.',
  }

  it('puts the passages it returns before the model, numbered for citation', async () => {
    const { turns, ctx, conversationId } = await turnsWith({
      context: [async () => [{ text: 'The office opens at nine.', source }]],
    })
    server.fake.enqueue({ kind: 'text', text: 'At nine [1].' }, { lastUserMessage: 'when open?' })
    const turn = await turns.start(ctx, { kind: 'send', conversationId, content: 'when open?' })
    await turn.run(new AbortController().signal, () => {})
    const [request] = server.fake.requestsFor({ lastUserMessage: 'when open?' })
    expect(JSON.stringify(request?.body)).toContain('[1] The office opens at nine.')
  })

  it('keeps as citations the passages the reply cites, numbered as the model saw them', () => {
    const passages = ['one', 'two', 'three'].map((text) => ({ text, source }))
    const cited = citedPassages('See [3] and [1, 2]; not [9].', passages)
    expect(cited.map((c) => c.index)).toEqual([1, 2, 3])
    expect(citedPassages('No citation here.', passages)).toEqual([])
    expect(citedPassages('See [1].', [])).toEqual([])
    const inCode = citedPassages('Take `rows[3]`:\n\n```js\nrows[2]\n```\n\nas said [1].', passages)
    expect(inCode.map((c) => c.index)).toEqual([1])
  })
})

describe('buildTurnRequest', () => {
  const turn = (overrides: Partial<PreparedTurn['conversation']> = {}) =>
    ({
      conversation: { systemPrompt: null, temperature: null, ...overrides },
      profile: {
        displayName: 'Ada',
        defaultModel: null,
        email: 'ada@example.test',
        aboutMe: null,
        replyStyle: null,
      },
      userMessage: { role: 'user', content: 'hi', tokenCount: 1 },
      history: [
        { role: 'user', content: 'earlier', tokenCount: 1 },
        { role: 'assistant', content: '', tokenCount: 0 },
      ],
      model: 'gpt-6.1-terra',
    }) as unknown as PreparedTurn

  it('adds the conversation’s own instructions and temperature, and skips empty replies', () => {
    const { request } = buildTurnRequest(
      turn({ systemPrompt: 'Answer in French.', temperature: 0.2 }),
      {
        models: server.deps.models.models,
        today: '2026-12-04',
        passages: [],
      },
    )
    expect(request.system).toContain('Answer in French.')
    expect(request.system).toContain('Ada')
    expect(request.system).not.toContain('ada@example.test')
    expect(request.temperature).toBe(0.2)
    expect(request.messages.map((m) => m.content)).toEqual(['earlier', 'hi'])
  })
})

describe('LiveTurns', () => {
  it('lets a second reader follow a live reply from its text so far, and forgets it at the end', async () => {
    const live = new LiveTurns()
    let finish: () => void = () => {}
    const first: string[] = []
    const end = live.track(
      'r1',
      (t) => first.push(t),
      async (reply) => {
        reply.append('Hello ')
        await new Promise<void>((resolve) => {
          finish = resolve
        })
        reply.append('world')
        return {} as never
      },
    )
    const second: string[] = []
    const followed = live.follow('r1', (t) => second.push(t))
    expect(live.size).toBe(1)
    finish()
    await Promise.all([end, followed])
    expect(first).toEqual(['Hello ', 'world'])
    expect(second).toEqual(['Hello ', 'world'])
    expect(live.size).toBe(0)
    expect(live.follow('r1', () => {})).toBeUndefined()
  })
})

describe('outcome', () => {
  it('stores a stopped reply as incomplete with the stop, and maps model errors for the API', () => {
    const report = { status: 'aborted', text: 'part', error: null } as never
    expect(replyStatus(report)).toMatchObject({ status: 'incomplete', error: { code: 'stopped' } })
    expect(endError({ code: 'timeout', message: 'slow' }).code).toBe('provider_unavailable')
    expect(endError({ code: 'context_length_exceeded', message: 'long' }).code).toBe(
      'validation_error',
    )
    expect(endError({ code: 'invalid_request', message: 'bad' }).code).toBe('provider_error')
  })
})
