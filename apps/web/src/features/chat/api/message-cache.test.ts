import { QueryClient } from '@tanstack/react-query'
import { describe, expect, it } from 'vitest'
import { queryKeys } from '../../../lib/query-keys.ts'
import { messageFixture } from '../message-fixture.ts'
import {
  cutThreadAt,
  flattenPages,
  type MessagePages,
  removeMessage,
  restoreThread,
  upsertMessages,
} from './message-cache.ts'

const conversationId = 'c1'
const contents = (client: QueryClient) =>
  flattenPages(client.getQueryData<MessagePages>(queryKeys.messages(conversationId))).map(
    (message) => message.content,
  )

describe('the message cache', () => {
  it('shows older pages first and never the same message twice', () => {
    const client = new QueryClient()
    const [a, b, c] = ['a', 'b', 'c'].map((content) => messageFixture({ content }))
    if (!a || !b || !c) throw new Error('fixtures')
    client.setQueryData<MessagePages>(queryKeys.messages(conversationId), {
      pages: [
        { items: [b, c], nextCursor: 'older' },
        { items: [a, b], nextCursor: null },
      ],
      pageParams: [undefined, 'older'],
    })
    expect(contents(client)).toEqual(['a', 'b', 'c'])
  })

  it('adds new messages at the end and replaces a message in place when it comes back', () => {
    const client = new QueryClient()
    const question = messageFixture({ role: 'user', content: 'question' })
    const reply = messageFixture({ content: '', status: 'streaming' })
    upsertMessages(client, conversationId, [question, reply])
    expect(contents(client)).toEqual(['question', ''])
    upsertMessages(client, conversationId, [{ ...reply, content: 'answer', status: 'complete' }])
    expect(contents(client)).toEqual(['question', 'answer'])
    removeMessage(client, conversationId, reply.id)
    expect(contents(client)).toEqual(['question'])
  })

  it('cuts the thread where a new branch starts, across pages, and can put it back', () => {
    const client = new QueryClient()
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((content) => messageFixture({ content }))
    if (!a || !b || !c || !d) throw new Error('fixtures')
    client.setQueryData<MessagePages>(queryKeys.messages(conversationId), {
      pages: [
        { items: [c, d], nextCursor: 'older' },
        { items: [a, b], nextCursor: null },
      ],
      pageParams: [undefined, 'older'],
    })
    const before = cutThreadAt(client, conversationId, b.id)
    expect(contents(client)).toEqual(['a'])
    restoreThread(client, conversationId, before)
    expect(contents(client)).toEqual(['a', 'b', 'c', 'd'])
  })
})
