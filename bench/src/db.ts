import { randomUUID } from 'node:crypto'
import {
  appendMessage,
  createDatabase,
  type Database,
  listConversations,
  listThread,
  loadContextThread,
  prepareDatabase,
} from '@parley/db'
import type { JwtClaims } from '@parley/schema/contracts'
import { sql } from 'drizzle-orm'
import type { BenchReport } from './report.ts'
import { measure, round } from './stats.ts'

const users = 1_000
const conversationsPerUser = 100
const historyLength = 1_000

const claimsOf = (id: string): JwtClaims => ({ sub: id, role: 'authenticated' })

/** 1k users with 100 conversations each, and one conversation with a 1,000-message thread. */
async function seed(db: Database) {
  return db.asOwner(async (owner) => {
    await owner.exec(`
      insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data)
      select gen_random_uuid(), 'authenticated', 'authenticated', 'bench-' || i || '@example.test', '{}', '{}'
      from generate_series(1, ${users}) i;

      insert into public.conversations (user_id, title, last_message_at)
      select u.id, 'Conversation ' || c, now() - make_interval(secs => (random() * 1e7)::int)
      from auth.users u cross join generate_series(1, ${conversationsPerUser}) c;`)
    const [user] = await owner.query<{ id: string }>(
      'select id from auth.users order by email limit 1',
    )
    if (!user) throw new Error('seeded users')
    const [thread] = await owner.query<{ id: string }>(
      'select id from public.conversations where user_id = $1 limit 1',
      [user.id],
    )
    if (!thread) throw new Error('seeded conversations')
    // A linear thread: each message answers the previous one.
    await owner.exec(`
      do $$
      declare parent uuid := null; next_id uuid;
      begin
        for i in 1..${historyLength} loop
          next_id := gen_random_uuid();
          insert into public.messages (id, conversation_id, user_id, parent_id, role, content, token_count)
          values (next_id, '${thread.id}', '${user.id}', parent,
                  case when i % 2 = 1 then 'user' else 'assistant' end,
                  repeat('Lorem ipsum dolor sit amet. ', 20), 120);
          parent := next_id;
        end loop;
      end $$;
      analyze;`)
    const [last] = await owner.query<{ id: string }>(
      'select id from public.messages where conversation_id = $1 order by seq desc limit 1',
      [thread.id],
    )
    const [other] = await owner.query<{ id: string }>(
      'select id from public.conversations where user_id = $1 and id <> $2 limit 1',
      [user.id, thread.id],
    )
    if (!last || !other) throw new Error('seeded thread')
    return { userId: user.id, threadId: thread.id, lastId: last.id, appendTo: other.id }
  })
}

export default async function dbBench(): Promise<BenchReport> {
  const db = await createDatabase({ kind: 'pglite' })
  await prepareDatabase(db)
  const seedStart = performance.now()
  const { userId, threadId, lastId, appendTo } = await seed(db)
  const seedMs = performance.now() - seedStart
  const claims = claimsOf(userId)

  const plan = await db.withUser(claims, async (tx) => {
    const result = await tx.execute(sql`explain select * from public.conversations
      where user_id = (select auth.uid()) and archived_at is null
      order by last_message_at desc, id desc limit 31`)
    const rows = (result as unknown as { rows?: Record<string, string>[] }).rows ?? []
    return rows.map((row) => Object.values(row)[0]).join('\n')
  })

  let parentId: string | null = null

  const cases = {
    'withUser + select 1 (baseline)': () => db.withUser(claims, (tx) => tx.execute(sql`select 1`)),
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
