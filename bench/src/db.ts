import { randomUUID } from 'node:crypto'
import {
  appendMessage,
  createDatabase,
  listConversations,
  listThread,
  loadContextThread,
  prepareDatabase,
} from '@parley/db'
import { explainConversationList, seedAtScale } from '@parley/db/testing'
import type { JwtClaims } from '@parley/schema/contracts'
import type { BenchReport } from './report.ts'
import { measure, round } from './stats.ts'

const users = 1_000
const conversationsPerUser = 100
const historyLength = 1_000

const claimsOf = (id: string): JwtClaims => ({ sub: id, role: 'authenticated' })

export default async function dbBench(): Promise<BenchReport> {
  const db = await createDatabase({ kind: 'pglite' })
  await prepareDatabase(db)
  const seedStart = performance.now()
  const {
    userId,
    threadId,
    lastMessageId: lastId,
    appendTo,
  } = await seedAtScale(db, {
    users,
    conversationsPerUser,
    historyLength,
  })
  const seedMs = performance.now() - seedStart
  const claims = claimsOf(userId)

  const plan = await explainConversationList(db, claims)

  let parentId: string | null = null

  const cases = {
    'withUser, empty transaction (baseline)': () => db.withUser(claims, async () => undefined),
    'list first page of conversations (30 of 100k)': () =>
      db.withUser(claims, (tx) => listConversations(tx, { limit: 30 })),
    'append a message': async () => {
      const { message } = await db.withUser(claims, (tx) =>
        appendMessage(tx, {
          id: randomUUID(),
          conversationId: appendTo,
          parentId,
          role: 'user',
          content: 'A new message appended by the benchmark.',
          tokenCount: 9,
        }),
      )
      parentId = message.id
    },
    'load a 1,000-message history (context)': () =>
      db.withUser(claims, (tx) =>
        loadContextThread(tx, threadId, lastId, { maxTokens: 1_000_000 }),
      ),
    'list the newest 50 messages of that thread': () =>
      db.withUser(claims, (tx) => listThread(tx, threadId, { limit: 50 })),
  }

  const history = await db.withUser(claims, (tx) =>
    loadContextThread(tx, threadId, lastId, { maxTokens: 1_000_000 }),
  )

  const rows: BenchReport['rows'] = []
  for (const [name, fn] of Object.entries(cases)) {
    const iterations = name.startsWith('load') ? 60 : 400
    const s = await measure(fn, { iterations })
    rows.push({
      case: name,
      'ops/s': round(s.opsPerSec, 1),
      'p50 ms': round(s.p50Ms),
      'p95 ms': round(s.p95Ms),
      samples: s.samples,
    })
  }
  await db.close()

  return {
    name: 'db',
    description: `PGlite, through withUser (RLS on); ${users} users x ${conversationsPerUser} conversations`,
    rows,
    details: {
      seedSeconds: round(seedMs / 1000, 1),
      historyMessagesLoaded: history.length,
      listPlan: plan,
    },
  }
}
