import { describe, expect, it } from 'vitest'
import { conversationExport } from './index.ts'

const at = '2026-12-01T09:00:00.000Z'
const message = (id: string, parentId: string | null) => ({
  id,
  parentId,
  role: 'user' as const,
  content: `Message ${id}`,
  createdAt: at,
})
const doc = (messages: ReturnType<typeof message>[], activeLeafId: string | null = null) => ({
  format: 'parley.conversation',
  version: 1,
  exportedAt: at,
  conversation: { title: 'A tree', createdAt: at, activeLeafId },
  messages,
})

/** The first issue's path and message, or null when the document is accepted. */
function firstIssue(input: unknown) {
  const result = conversationExport.safeParse(input)
  if (result.success) return null
  const [issue] = result.error.issues
  return { path: issue?.path.join('.'), message: issue?.message }
}

describe('an exported conversation', () => {
  it('accepts branches in any order, and fills in what a hand-written file leaves out', () => {
    const parsed = conversationExport.parse(
      doc([message('b', 'a'), message('a', null), message('c', 'a')], 'c'),
    )
    expect(parsed.messages[0]).toMatchObject({ status: 'complete', model: null, error: null })
    expect(parsed.conversation).toMatchObject({
      systemPrompt: null,
      temperature: null,
      model: null,
    })
  })

  it('refuses a parent that is not in the document', () => {
    expect(firstIssue(doc([message('a', null), message('b', 'gone')]))).toEqual({
      path: 'messages.1.parentId',
      message: 'names a message that is not in the document',
    })
  })

  it('refuses a parent chain that loops, however long', () => {
    const loop = doc([message('a', 'c'), message('b', 'a'), message('c', 'b'), message('d', null)])
    expect(firstIssue(loop)?.message).toBe('the parent chain loops back on itself')
    expect(firstIssue(doc([message('a', 'a')]))?.message).toBe(
      'the parent chain loops back on itself',
    )
  })

  it('refuses an id used twice, and an active leaf that is not a message', () => {
    expect(firstIssue(doc([message('a', null), message('a', null)]))?.path).toBe('messages.1.id')
    expect(firstIssue(doc([message('a', null)], 'z'))?.path).toBe('conversation.activeLeafId')
  })
})
