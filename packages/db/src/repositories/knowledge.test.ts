import { createHash, randomUUID } from 'node:crypto'
import type { FileIngest, SearchHit } from '@parley/schema/contracts'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Tx } from '../client.ts'
import { createTestDatabase, createTestUser, type TestUser } from '../testing/index.ts'
import { createConversation, setFileScope } from './conversations.ts'
import { completeFileIngest, createFile } from './files.ts'
import { retrieveChunks, search, splitSnippet, vectorSearchAvailable } from './knowledge.ts'
import { appendMessage, getMessage, setReplyCitations, updateMessage } from './messages.ts'

let db: Database
/** False on a Postgres without pgvector (`TEST_DATABASE_URL`): keyword retrieval only. */
let vectors: boolean
beforeAll(async () => {
  db = await createTestDatabase()
  vectors = await db.asService(vectorSearchAvailable)
})
afterAll(() => db?.close())

const as = <T>(user: TestUser, fn: (tx: Tx) => Promise<T>) => db.withUser(user.claims, fn)

interface Passage {
  content: string
  headingPath?: string[]
  embedding?: number[]
}

/** A ready file of the user's holding these passages, in order. */
async function readyFile(user: TestUser, name: string, passages: Passage[]): Promise<string> {
  const embedded = passages.some((p) => p.embedding)
  const ingest: FileIngest = {
    embeddingModel: embedded ? 'test-embed' : null,
    chunks: passages.map((p) => ({
      content: p.content,
      headingPath: p.headingPath ?? [],
      tokenCount: p.content.split(/\s+/).length,
      ...(p.embedding ? { embedding: p.embedding } : {}),
    })),
  }
  return as(user, async (tx) => {
    const file = await createFile(tx, {
      name,
      kind: 'markdown',
      mimeType: 'text/markdown',
      sizeBytes: 10,
      sha256: createHash('sha256').update(randomUUID()).digest('hex'),
      storageKey: `files/${randomUUID()}`,
    })
    await completeFileIngest(tx, file.id, ingest)
    return file.id
  })
}

const contents = (chunks: { content: string }[]) => chunks.map((c) => c.content)

describe('retrieval', () => {
  it('finds a passage for a question whose words are not all in it', async () => {
    const user = await createTestUser(db)
    await readyFile(user, 'admin.md', [
      { content: 'To rotate the API keys, open Settings and choose Regenerate.' },
      { content: 'Billing invoices are sent on the first day of each month.' },
    ])
    const found = await as(user, (tx) =>
      retrieveChunks(tx, { query: 'How can I rotate my API key from the admin console?' }),
    )
    expect(contents(found)).toEqual([
      'To rotate the API keys, open Settings and choose Regenerate.',
    ])
    expect(found[0]).toMatchObject({ fileName: 'admin.md', keywordRank: 1, vectorRank: null })
    expect(found[0]?.content).toContain(found[0]?.snippet)
  })

  it('ranks passages holding more of the question higher, and headings count', async () => {
    const user = await createTestUser(db)
    await readyFile(user, 'garden.md', [
      { content: 'Water the tomatoes every morning in summer.' },
      { content: 'Tomatoes need full sun.' },
      { content: 'Prune them weekly.', headingPath: ['Growing tomatoes', 'Pruning'] },
    ])
    const found = await as(user, (tx) =>
      retrieveChunks(tx, { query: 'how often should I water tomatoes in summer' }),
    )
    expect(contents(found)).toEqual([
      'Water the tomatoes every morning in summer.',
      'Prune them weekly.',
      'Tomatoes need full sun.',
    ])
  })

  it('finds the passage holding every word of a question among hundreds holding some', async () => {
    const user = await createTestUser(db)
    const answer = 'The Nordic revenue forecast is revised every quarter.'
    await readyFile(user, 'finance.md', [
      ...Array.from({ length: 300 }, (_, i) => ({ content: `Revenue notes, item ${i}.` })),
      { content: answer },
    ])
    const found = await as(user, (tx) =>
      retrieveChunks(tx, { query: 'what is the nordic revenue forecast?', limit: 3 }),
    )
    expect(found).toHaveLength(3)
    expect(found[0]?.content).toBe(answer)
    const hits = await as(user, (tx) =>
      search(tx, { q: 'nordic revenue forecast', scope: 'files' }),
    )
    expect(hits.items[0]?.snippet.map((s) => s.text).join('')).toContain('Nordic revenue forecast')
  })

  it('ranks every partial match of a small collection, not the first hundred the scan meets', async () => {
    const user = await createTestUser(db)
    await readyFile(
      user,
      'kettle-log.md',
      Array.from({ length: 150 }, (_, i) => ({ content: `Kettle reading number ${i}.` })),
    )
    await readyFile(user, 'care.md', [{ content: 'Descale the teapot with citric acid.' }])
    const found = await as(user, (tx) =>
      retrieveChunks(tx, { query: 'kettle teapot citric', limit: 3 }),
    )
    expect(found[0]?.content).toBe('Descale the teapot with citric acid.')
  })

  it('requires a quoted phrase', async () => {
    const user = await createTestUser(db)
    await readyFile(user, 'sea.md', [
      { content: 'The blue whale is the largest animal alive.' },
      { content: 'A whale surfaced in the blue water near the boat.' },
    ])
    const found = await as(user, (tx) =>
      retrieveChunks(tx, { query: 'how large is the "blue whale" compared to a boat' }),
    )
    expect(contents(found)).toEqual(['The blue whale is the largest animal alive.'])
  })

  it('leaves out passages holding an excluded -"phrase", not those with its words apart', async () => {
    const user = await createTestUser(db)
    await readyFile(user, 'sea.md', [
      { content: 'The blue whale is the largest animal alive.' },
      { content: 'A whale surfaced in the blue water near the boat.' },
      { content: 'A grey whale migrates along the coast.' },
    ])
    const found = await as(user, (tx) => retrieveChunks(tx, { query: 'whale -"blue whale"' }))
    expect(contents(found).sort()).toEqual([
      'A grey whale migrates along the coast.',
      'A whale surfaced in the blue water near the boat.',
    ])
  })

  it('leaves out passages with an excluded -word', async () => {
    const user = await createTestUser(db)
    await readyFile(user, 'python.md', [
      { content: 'Feeding a pet python snake: mice every two weeks.' },
      { content: 'Python list comprehensions make loops shorter.' },
    ])
    const found = await as(user, (tx) => retrieveChunks(tx, { query: 'python tips -snake' }))
    expect(contents(found)).toEqual(['Python list comprehensions make loops shorter.'])
    expect(await as(user, (tx) => retrieveChunks(tx, { query: '-python' }))).toEqual([])
  })

  it('leaves out passages holding any of several excluded -words', async () => {
    const user = await createTestUser(db)
    await readyFile(user, 'pets.md', [
      { content: 'A python snake sleeps most of the day.' },
      { content: 'Feed the python mice every two weeks.' },
      { content: 'Python eggs hatch after two months.' },
      { content: 'Python list comprehensions make loops shorter.' },
    ])
    const retrieve = (query: string) =>
      as(user, async (tx) => contents(await retrieveChunks(tx, { query })))
    // Both hold the one wanted word once: equal ranks, in no particular order.
    expect((await retrieve('python -snake -mice')).sort()).toEqual([
      'Python eggs hatch after two months.',
      'Python list comprehensions make loops shorter.',
    ])
    expect(await retrieve('python -snake -mice -eggs')).toEqual([
      'Python list comprehensions make loops shorter.',
    ])
    expect(await retrieve('python loops -snake -mice -eggs')).toEqual([
      'Python list comprehensions make loops shorter.',
    ])
  })

  it('finds nothing, without an error, for stop words alone', async () => {
    const user = await createTestUser(db)
    await readyFile(user, 'words.md', [{ content: 'The one and only passage.' }])
    expect(await as(user, (tx) => retrieveChunks(tx, { query: 'and the of "the"' }))).toEqual([])
    expect((await as(user, (tx) => search(tx, { q: 'the' }))).items).toEqual([])
  })

  it('fuses keyword and vector ranks, and uses vectors only when given an embedding', async (ctx) => {
    if (!vectors) ctx.skip()
    const user = await createTestUser(db)
    await readyFile(user, 'mixed.md', [
      { content: 'Solar panels convert sunlight to power.', embedding: [0.9, 0.1, 0] },
      { content: 'Photovoltaic cells on the roof.', embedding: [1, 0, 0] },
      { content: 'Unrelated recipe for bread.', embedding: [0, 0, 1] },
    ])
    const hybrid = await as(user, (tx) =>
      retrieveChunks(tx, {
        query: 'solar panels',
        embedding: [1, 0, 0],
        embeddingModel: 'test-embed',
        limit: 3,
      }),
    )
    // First by keyword and second by meaning beats first by meaning alone: 1/61 + 1/62 > 1/61.
    expect(hybrid.map((c) => [c.content, c.keywordRank, c.vectorRank])).toEqual([
      ['Solar panels convert sunlight to power.', 1, 2],
      ['Photovoltaic cells on the roof.', null, 1],
      ['Unrelated recipe for bread.', null, 3],
    ])
    expect(hybrid[0]?.score).toBeCloseTo(1 / 61 + 1 / 62, 12)
    expect(hybrid[1]?.score).toBeCloseTo(1 / 61, 12)

    const keywordOnly = await as(user, (tx) => retrieveChunks(tx, { query: 'solar panels' }))
    expect(keywordOnly.map((c) => [c.content, c.keywordRank, c.vectorRank])).toEqual([
      ['Solar panels convert sunlight to power.', 1, null],
    ])
    const otherModel = await as(user, (tx) =>
      retrieveChunks(tx, { query: 'roof', embedding: [1, 0, 0], embeddingModel: 'other-model' }),
    )
    expect(otherModel.every((c) => c.vectorRank === null)).toBe(true)
  })

  it('reads only the files asked for', async () => {
    const user = await createTestUser(db)
    const wanted = await readyFile(user, 'one.md', [{ content: 'Kubernetes pods restart.' }])
    await readyFile(user, 'two.md', [{ content: 'Kubernetes nodes drain.' }])
    const found = await as(user, (tx) =>
      retrieveChunks(tx, { query: 'kubernetes', fileIds: [wanted] }),
    )
    expect(found.map((c) => c.fileId)).toEqual([wanted])
    expect(
      await as(user, (tx) => retrieveChunks(tx, { query: 'kubernetes', fileIds: [] })),
    ).toEqual([])
  })

  it('never returns another user’s passages, and gives a full top-k of the caller’s own', async () => {
    const alice = await createTestUser(db)
    const bob = await createTestUser(db)
    const exact = 'Quarterly revenue forecast for the Nordic region'
    await readyFile(
      alice,
      'alice.md',
      Array.from({ length: 40 }, (_, i) => ({
        content: `${exact}, revision ${i}.`,
        embedding: [1, 0, 0],
      })),
    )
    const bobFile = await readyFile(
      bob,
      'bob.md',
      Array.from({ length: 12 }, (_, i) => ({
        content: `Meeting notes ${i}: we talked about revenue and many other things.`,
        embedding: [0.5, 0.5, 0.5],
      })),
    )
    const forBob = await as(bob, (tx) =>
      retrieveChunks(tx, { query: exact, embedding: [1, 0, 0], embeddingModel: 'test-embed' }),
    )
    expect(forBob).toHaveLength(8)
    expect(forBob.every((c) => c.fileId === bobFile)).toBe(true)
    expect(forBob.every((c) => c.keywordRank !== null && (c.vectorRank !== null) === vectors)).toBe(
      true,
    )
    const bobSearch = await as(bob, (tx) => search(tx, { q: exact, scope: 'files' }))
    expect(bobSearch.items.every((hit) => hit.kind === 'file' && hit.fileId === bobFile)).toBe(true)
  })
})

describe('file scope and citations', () => {
  it('a conversation reads only the caller’s files', async () => {
    const user = await createTestUser(db)
    const other = await createTestUser(db)
    const mine = await readyFile(user, 'mine.md', [{ content: 'Mine.' }])
    const theirs = await readyFile(other, 'theirs.md', [{ content: 'Theirs.' }])
    const conversation = await as(user, (tx) => createConversation(tx))
    expect(conversation.fileScope).toEqual({ mode: 'none' })

    const scoped = await as(user, (tx) =>
      setFileScope(tx, conversation.id, { mode: 'files', fileIds: [mine, mine] }),
    )
    expect(scoped?.fileScope).toEqual({ mode: 'files', fileIds: [mine] })
    await expect(
      as(user, (tx) => setFileScope(tx, conversation.id, { mode: 'files', fileIds: [theirs] })),
    ).rejects.toMatchObject({ code: 'invalid_input', message: `fileIds: no such file: ${theirs}` })
    expect(await as(other, (tx) => setFileScope(tx, conversation.id, { mode: 'all' }))).toBeNull()
  })

  it('a reply keeps the passages it cites', async () => {
    const user = await createTestUser(db)
    const fileId = await readyFile(user, 'cited.md', [{ content: 'Cited passage.' }])
    const [chunk] = await as(user, (tx) => retrieveChunks(tx, { query: 'cited passage' }))
    const conversation = await as(user, (tx) => createConversation(tx))
    const reply = await as(user, (tx) =>
      appendMessage(tx, {
        conversationId: conversation.id,
        role: 'assistant',
        content: 'See [1].',
      }),
    )
    const citation = {
      index: 1,
      chunkId: chunk?.chunkId ?? '',
      fileId,
      fileName: 'cited.md',
      page: null,
      headingPath: [],
      snippet: 'Cited passage.',
    }
    await as(user, (tx) => setReplyCitations(tx, reply.message.id, [citation]))
    expect(await as(user, (tx) => getMessage(tx, reply.message.id))).toMatchObject({
      citations: [citation],
    })
  })
})

async function conversationWith(
  user: TestUser,
  title: string,
  messages: { role: 'user' | 'assistant'; content: string; status?: 'streaming' }[],
) {
  return as(user, async (tx) => {
    const conversation = await createConversation(tx, { title })
    const ids: string[] = []
    for (const message of messages) {
      const { message: row } = await appendMessage(tx, {
        conversationId: conversation.id,
        ...message,
      })
      ids.push(row.id)
    }
    return { conversationId: conversation.id, messageIds: ids }
  })
}

const matchedWords = (hit: SearchHit | undefined) =>
  hit?.snippet.filter((s) => s.match).map((s) => s.text.toLowerCase())

describe('search', () => {
  it('finds titles and messages, with matches marked in plain segments', async () => {
    const user = await createTestUser(db)
    const { conversationId, messageIds } = await conversationWith(user, 'Sourdough starter', [
      { role: 'user', content: 'My starter smells like acetone, is that normal?' },
      { role: 'assistant', content: 'An acetone smell means the starter is hungry: feed it.' },
    ])
    const results = await as(user, (tx) => search(tx, { q: 'acetone' }))
    expect(results.semantic).toBe(false)
    expect(results.items.map((hit) => hit.kind === 'message' && hit.messageId)).toEqual(
      expect.arrayContaining(messageIds),
    )
    expect(results.items[0]).toMatchObject({ kind: 'message', conversationId })
    expect(matchedWords(results.items[0])).toEqual(['acetone'])

    const titles = await as(user, (tx) => search(tx, { q: 'sourdough', scope: 'messages' }))
    expect(titles.items).toEqual([
      expect.objectContaining({
        kind: 'conversation',
        conversationId,
        conversationTitle: 'Sourdough starter',
        snippet: [
          { text: 'Sourdough', match: true },
          { text: ' starter', match: false },
        ],
      }),
    ])
    expect(await as(user, (tx) => search(tx, { q: 'sourdough', scope: 'files' }))).toMatchObject({
      items: [],
    })
  })

  it('leaves out replies still being written until they finish', async () => {
    const user = await createTestUser(db)
    const { messageIds } = await conversationWith(user, 'Draft', [
      {
        role: 'assistant',
        content: 'Zygomorphic flowers have one plane of symmetry.',
        status: 'streaming',
      },
    ])
    const [replyId = ''] = messageIds
    expect((await as(user, (tx) => search(tx, { q: 'zygomorphic' }))).items).toEqual([])
    await as(user, (tx) => updateMessage(tx, replyId, { status: 'complete' }))
    const found = await as(user, (tx) => search(tx, { q: 'zygomorphic' }))
    expect(found.items.map((hit) => hit.kind === 'message' && hit.messageId)).toEqual([replyId])
  })

  it('pages through every hit once, in rank order', async () => {
    const user = await createTestUser(db)
    await conversationWith(
      user,
      'Glaciers',
      Array.from({ length: 7 }, (_, i) => ({
        role: 'user' as const,
        content: `${'glacier '.repeat(i + 1)}melt question ${i}`,
      })),
    )
    const all = await as(user, (tx) => search(tx, { q: 'glacier', limit: 50 }))
    const paged: SearchHit[] = []
    let cursor: string | undefined
    do {
      const page = await as(user, (tx) =>
        search(tx, { q: 'glacier', limit: 3, ...(cursor ? { cursor } : {}) }),
      )
      paged.push(...page.items)
      cursor = page.nextCursor ?? undefined
    } while (cursor)
    expect(paged).toEqual(all.items)
    expect(all.items).toHaveLength(8)
    const scores = all.items.map((hit) => hit.score)
    expect(scores).toEqual([...scores].sort((a, b) => b - a))
    await expect(
      as(user, (tx) => search(tx, { q: 'glacier', cursor: 'not-a-cursor' })),
    ).rejects.toMatchObject({ code: 'invalid_input' })
  })

  it('finds file passages by keyword, and by meaning with an embedding', async () => {
    const user = await createTestUser(db)
    const fileId = await readyFile(user, 'energy.md', [
      {
        content: 'Heat pumps move heat instead of making it.',
        headingPath: ['Heating'],
        embedding: [1, 0],
      },
      {
        content: 'Insulate the attic before anything else.',
        headingPath: ['Insulation'],
        embedding: [0.9, 0.1],
      },
    ])
    const keyword = await as(user, (tx) => search(tx, { q: 'heat pumps', scope: 'files' }))
    expect(keyword.items).toEqual([
      expect.objectContaining({
        kind: 'file',
        fileId,
        fileName: 'energy.md',
        headingPath: ['Heating'],
      }),
    ])
    expect(matchedWords(keyword.items[0])).toEqual(['heat', 'pumps', 'heat'])

    const semantic = await as(user, (tx) =>
      search(tx, {
        q: 'heat pumps',
        scope: 'files',
        embedding: [1, 0],
        embeddingModel: 'test-embed',
      }),
    )
    expect(semantic.semantic).toBe(vectors)
    expect(semantic.items.map((hit) => hit.kind === 'file' && hit.headingPath[0])).toEqual(
      vectors ? ['Heating', 'Insulation'] : ['Heating'],
    )
  })

  it('leaves out messages and titles holding any of several excluded -words', async () => {
    const user = await createTestUser(db)
    const { messageIds } = await conversationWith(user, 'Python snake care', [
      { role: 'user', content: 'Does a python snake sleep most of the day?' },
      { role: 'assistant', content: 'Feed the python mice every two weeks.' },
      { role: 'user', content: 'When do python eggs hatch?' },
      { role: 'assistant', content: 'Python list comprehensions make loops shorter.' },
    ])
    const found = (q: string) =>
      as(user, async (tx) =>
        (await search(tx, { q, scope: 'messages' })).items.map(
          (hit) => hit.kind === 'message' && hit.messageId,
        ),
      )
    const [, , eggs, loops] = messageIds
    expect(new Set(await found('python -snake -mice'))).toEqual(new Set([eggs, loops]))
    expect(await found('python -snake -mice -eggs')).toEqual([loops])
    expect(await found('python loops -snake -mice -eggs')).toEqual([loops])
  })

  it('draws partial matches through a question’s uncommon words once statistics call the others common', async () => {
    const user = await createTestUser(db)
    const { messageIds } = await conversationWith(user, 'Kitchen notes', [
      ...Array.from({ length: 300 }, (_, i) => ({
        role: 'user' as const,
        content: `Kettle log ${i}`,
      })),
      { role: 'user', content: 'The kettle sits beside the teapot.' },
      { role: 'user', content: 'A teapot without its lid.' },
    ])
    const [both, teapotOnly] = messageIds.slice(-2)
    await db.asOwner((sql) => sql.exec('analyze public.messages'))
    const found = (q: string, budget?: number) =>
      as(user, async (tx) => {
        if (budget !== undefined) {
          await tx.execute(
            sql`select set_config('parley.keyword_scan_budget', ${String(budget)}, true)`,
          )
        }
        const results = await search(tx, { q, scope: 'messages', limit: 50 })
        return results.items.map((hit) => hit.kind === 'message' && hit.messageId)
      })
    // Within the budget, every message holding a word of the question is a candidate.
    expect(await found('kettle teapot')).toHaveLength(50)
    // Past it, "kettle" is common: rows holding only it are not read, "teapot" finds the rest.
    expect(new Set(await found('kettle teapot', 50))).toEqual(new Set([both, teapotOnly]))
    // When the uncommon words find nothing at all, the common ones still do.
    expect(await found('kettle zebra', 50)).toHaveLength(50)
  })

  it('never shows another user’s titles or messages', async () => {
    const alice = await createTestUser(db)
    const bob = await createTestUser(db)
    const secret = 'Confidential merger with Northwind Traders'
    await conversationWith(alice, secret, [{ role: 'user', content: secret }])
    expect((await as(bob, (tx) => search(tx, { q: secret }))).items).toEqual([])
    expect((await as(alice, (tx) => search(tx, { q: secret }))).items).toHaveLength(2)
  })
})

describe('snippets', () => {
  it('split into plain segments, with no markup left', () => {
    expect(splitSnippet('a \uE000b\uE001 c \uE000d\uE001')).toEqual([
      { text: 'a ', match: false },
      { text: 'b', match: true },
      { text: ' c ', match: false },
      { text: 'd', match: true },
    ])
    expect(splitSnippet('<b>not html</b>')).toEqual([{ text: '<b>not html</b>', match: false }])
  })
})
