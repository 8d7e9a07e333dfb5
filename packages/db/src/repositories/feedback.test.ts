import { messageFeedback } from '@parley/schema/tables'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Tx } from '../client.ts'
import { createTestDatabase, createTestUser, type TestUser } from '../testing/index.ts'
import { createConversation } from './conversations.ts'
import { clearFeedback, feedbackByModel, setFeedback } from './feedback.ts'
import { appendMessage, listThread } from './messages.ts'

let db: Database
let user: TestUser
let admin: TestUser
beforeAll(async () => {
  db = await createTestDatabase()
  user = await createTestUser(db)
  admin = await createTestUser(db, { admin: true })
})
afterAll(() => db?.close())

const as = <T>(who: TestUser, fn: (tx: Tx) => Promise<T>) => db.withUser(who.claims, fn)

/** A question and its reply by `model`, owned by `who`. */
async function exchange(who: TestUser, model: string) {
  return as(who, async (tx) => {
    const conversation = await createConversation(tx)
    const { message: question } = await appendMessage(tx, {
      conversationId: conversation.id,
      role: 'user',
      content: 'Why is the sky blue?',
    })
    const { message: reply } = await appendMessage(tx, {
      conversationId: conversation.id,
      parentId: question.id,
      role: 'assistant',
      content: 'Rayleigh scattering.',
      model,
    })
    return { conversation, question, reply }
  })
}

describe('feedback on a reply', () => {
  it('is carried by the thread, changes, and clears', async () => {
    const { conversation, reply } = await exchange(user, 'model-a')
    const thread = () => as(user, (tx) => listThread(tx, conversation.id))

    await as(user, (tx) => setFeedback(tx, reply.id, { vote: 'up', reasons: ['helpful'] }))
    expect((await thread()).items.map((m) => m.feedback)).toEqual([
      null,
      { vote: 'up', reasons: ['helpful'], comment: null },
    ])

    await as(user, (tx) =>
      setFeedback(tx, reply.id, { vote: 'down', reasons: ['inaccurate'], comment: '  Wrong.  ' }),
    )
    expect((await thread()).items[1]?.feedback).toEqual({
      vote: 'down',
      reasons: ['inaccurate'],
      comment: 'Wrong.',
    })

    expect(await as(user, (tx) => clearFeedback(tx, reply.id))).toBe(true)
    expect((await thread()).items[1]?.feedback).toBeNull()
    expect(await as(user, (tx) => clearFeedback(tx, reply.id))).toBe(false)
  })

  it('is refused on a user message and on another user’s reply', async () => {
    const { question, reply } = await exchange(user, 'model-a')
    const stranger = await createTestUser(db)
    expect(await as(user, (tx) => setFeedback(tx, question.id, { vote: 'up' }))).toBeNull()
    expect(await as(stranger, (tx) => setFeedback(tx, reply.id, { vote: 'down' }))).toBeNull()
    expect(await as(stranger, (tx) => clearFeedback(tx, reply.id))).toBe(false)
  })

  it('records the model of the reply, whatever the client writes', async () => {
    const { reply } = await exchange(user, 'model-true')
    const [row] = await as(user, (tx) =>
      tx
        .insert(messageFeedback)
        .values({ messageId: reply.id, vote: 'up', model: 'model-spoofed' })
        .returning(),
    )
    expect(row?.model).toBe('model-true')
  })
})

describe('satisfaction per model', () => {
  it('counts everyone’s votes for an admin and only one’s own otherwise', async () => {
    const voter = await createTestUser(db)
    const other = await createTestUser(db)
    const votes: [TestUser, string, 'up' | 'down'][] = [
      [voter, 'model-x', 'up'],
      [voter, 'model-x', 'down'],
      [other, 'model-x', 'up'],
      [other, 'model-y', 'down'],
    ]
    for (const [who, model, vote] of votes) {
      const { reply } = await exchange(who, model)
      await as(who, (tx) => setFeedback(tx, reply.id, { vote }))
    }
    const forAdmin = await as(admin, feedbackByModel)
    expect(forAdmin.filter((row) => row.model === 'model-x' || row.model === 'model-y')).toEqual([
      { model: 'model-x', up: 2, down: 1 },
      { model: 'model-y', up: 0, down: 1 },
    ])
    expect(await as(voter, feedbackByModel)).toEqual([{ model: 'model-x', up: 1, down: 1 }])
  })
})
