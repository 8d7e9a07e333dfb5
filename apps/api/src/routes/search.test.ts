import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectEnvelope } from '../testing/expect-envelope.ts'
import { processedFile, uploadedFileId } from '../testing/files.ts'
import { readEvents, startTestServer, type TestServer } from '../testing/test-server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server?.close())

type User = Awaited<ReturnType<TestServer['user']>>

interface Results {
  items: ({ kind: string; snippet: { text: string; match: boolean }[] } & Record<string, unknown>)[]
  nextCursor: string | null
  semantic: boolean
}

const searchFor = async (user: User, query: string) => {
  const response = await server.call(user.token, `/api/v1/search?${query}`)
  expect(response.status).toBe(200)
  return (await response.json()) as Results
}

async function exchange(user: User, question: string, answer: string) {
  const conversationId = await server.newConversation(user.token)
  server.fake.enqueue({ kind: 'text', text: answer }, { lastUserMessage: question })
  await readEvents(await server.sendStreamed(user.token, conversationId, { content: question }))
  return conversationId
}

describe('search', () => {
  it('finds messages and file passages by their words, with highlighted segments', async () => {
    const user = await server.user()
    const conversationId = await exchange(
      user,
      'What is a good name for a tortoise?',
      'Sheldon suits a tortoise.',
    )
    const fileId = await uploadedFileId(
      server,
      user.token,
      'pets.md',
      '# Pets\n\nA tortoise can live for more than a century.\n',
    )
    await processedFile(server, user.token, fileId)

    const all = await searchFor(user, 'q=tortoise')
    expect(all.semantic).toBe(false)
    expect(all.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'message', conversationId }),
        expect.objectContaining({ kind: 'file', fileId, fileName: 'pets.md' }),
      ]),
    )
    for (const hit of all.items) {
      expect(hit.snippet.some((segment) => segment.match)).toBe(true)
    }
    const renamed = await server.call(user.token, `/api/v1/conversations/${conversationId}`, {
      method: 'PATCH',
      json: { title: 'Tortoise names' },
    })
    expect(renamed.status).toBe(200)
    expect((await searchFor(user, 'q=tortoise')).items).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'conversation', conversationId })]),
    )
    const messagesOnly = await searchFor(user, 'q=tortoise&scope=messages')
    expect(messagesOnly.items.every((hit) => hit.kind !== 'file')).toBe(true)
    const filesOnly = await searchFor(user, 'q=tortoise&scope=files')
    expect(filesOnly.items.map((hit) => hit.kind)).toEqual(['file'])
  })

  it('pages through many matches without repeating one', async () => {
    const user = await server.user()
    for (let i = 0; i < 3; i++) await exchange(user, `Tell me about kumquat number ${i}`, 'Citrus.')
    const seen: unknown[] = []
    let query = 'q=kumquat&scope=messages&limit=2'
    for (;;) {
      const page = await searchFor(user, query)
      seen.push(...page.items.map((hit) => hit.messageId))
      if (!page.nextCursor) break
      query = `q=kumquat&scope=messages&limit=2&cursor=${encodeURIComponent(page.nextCursor)}`
    }
    expect(seen).toHaveLength(3)
    expect(new Set(seen).size).toBe(3)
  })

  it('never shows another user’s messages or titles, even for their exact words', async () => {
    const owner = await server.user()
    const other = await server.user()
    const words = 'Our launch codename is periwinkle lighthouse'
    await exchange(owner, words, 'Noted: periwinkle lighthouse.')
    expect((await searchFor(owner, `q=${encodeURIComponent(words)}`)).items.length).toBeGreaterThan(
      0,
    )
    expect((await searchFor(other, `q=${encodeURIComponent(words)}`)).items).toEqual([])
  })

  it('refuses an empty or oversized query and an unknown scope', async () => {
    const user = await server.user()
    for (const query of ['q=', 'q=%20%20', `q=${'x'.repeat(501)}`, 'q=hi&scope=everything', '']) {
      await expectEnvelope(
        await server.call(user.token, `/api/v1/search?${query}`),
        400,
        'validation_error',
      )
    }
  })
})
