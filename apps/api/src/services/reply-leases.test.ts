import { randomUUID } from 'node:crypto'
import { beginTurn, updateMessage } from '@parley/db'
import { inspect } from '@parley/db/testing'
import { replyLeases } from '@parley/schema/tables'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  chatModel,
  eventually,
  readEvents,
  startTestServer,
  type TestServer,
} from '../testing/test-server.ts'
import { ReplyLeases } from './reply-leases.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server?.close())

type User = Awaited<ReturnType<TestServer['user']>>

const heartbeat = (options: { staleMs?: number } = {}) =>
  new ReplyLeases(
    server.db,
    () => server.deps.turns.ownedReplyIds,
    pino({ level: 'silent' }),
    options,
  ).beat()

/** A send another server began, stored half a reply, then died: its lease is an hour old. */
async function orphanedTurn(user: User, conversationId: string, id: string, content: string) {
  const begun = await server.db.withUser(user.claims, (tx) =>
    beginTurn(tx, {
      kind: 'send',
      conversationId,
      id,
      content,
      tokenCount: 3,
      offered: [chatModel],
      defaultModel: chatModel,
      historyTokens: 10_000,
    }),
  )
  if (begun.status !== 'new') throw new Error(`turn not opened: ${begun.status}`)
  await server.db.withUser(user.claims, (tx) =>
    updateMessage(tx, begun.assistantMessage.id, { content: 'Half of a reply' }),
  )
  await server.db.asService((tx) =>
    tx.insert(replyLeases).values({
      messageId: begun.assistantMessage.id,
      instanceId: randomUUID(),
      heartbeatAt: new Date(Date.now() - 3_600_000),
    }),
  )
  return begun.assistantMessage.id
}

describe('reply leases', () => {
  it('lets the same send read back the text of a reply whose server died, instead of a conflict', async () => {
    const user = await server.user()
    const conversationId = await server.newConversation(user.token)
    const id = randomUUID()
    const content = `orphaned ${id}`
    await orphanedTurn(user, conversationId, id, content)

    const refused = await readEvents(
      await server.sendStreamed(user.token, conversationId, { id, content }),
    )
    expect(refused.at(-1)).toMatchObject({ event: 'error', data: { error: { code: 'conflict' } } })

    await heartbeat()
    const events = await readEvents(
      await server.sendStreamed(user.token, conversationId, { id, content }),
    )
    expect(events.filter((e) => e.event === 'delta').map((e) => e.data)).toEqual([
      { text: 'Half of a reply' },
    ])
    expect(events.at(-1)).toMatchObject({
      event: 'error',
      data: {
        error: { code: 'service_unavailable' },
        assistantMessage: { status: 'incomplete', content: 'Half of a reply' },
      },
    })
    expect(server.fake.requests.some((r) => r.lastUserMessage === content)).toBe(false)
  })

  it('renews the leases of its own live replies, which no sweep closes', async () => {
    const user = await server.user()
    const conversationId = await server.newConversation(user.token)
    const content = `still streaming ${randomUUID()}`
    server.fake.enqueue(
      { kind: 'hang', text: 'one two three', afterTokens: 2 },
      { lastUserMessage: content },
    )
    const controller = new AbortController()
    let firstDelta: (replyId: string) => void = () => {}
    const started = new Promise<string>((resolve) => {
      firstDelta = resolve
    })
    const reading = readEvents(
      await server.sendStreamed(user.token, conversationId, { content }, controller.signal),
      (event, all) => {
        const start = all[0]?.data as { assistantMessage: { id: string } }
        if (event.event === 'delta') firstDelta(start.assistantMessage.id)
        return undefined
      },
    ).catch(() => [])
    const replyId = await started

    // Stale after 0 s: only a lease renewed in this very heartbeat survives it.
    await heartbeat({ staleMs: 0 })
    const reply = (await inspect.messages(server.db, conversationId)).find((m) => m.id === replyId)
    expect(reply?.status).toBe('streaming')
    const leases = await server.db.asService((tx) => tx.select().from(replyLeases))
    expect(leases.map((l) => l.messageId)).toContain(replyId)

    controller.abort()
    await reading
    await eventually(() => server.deps.turns.liveCount === 0)
  })
})
