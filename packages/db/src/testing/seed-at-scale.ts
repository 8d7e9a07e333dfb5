import type { JwtClaims } from '@parley/schema/contracts'
import { sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { executedRows } from '../json-row.ts'

export interface ScaleSeed {
  /** The first seeded user: owner of `threadId` and `appendTo`. */
  userId: string
  /** A conversation holding one linear thread of `historyLength` messages. */
  threadId: string
  /** The newest message of that thread. */
  lastMessageId: string
  /** Another of the user's conversations, to append to. */
  appendTo: string
}

/**
 * Bulk data for benchmarks, written with set-based SQL: `users` users with
 * `conversationsPerUser` conversations each (spread over ~4 months of activity), and one
 * conversation with a thread of `historyLength` messages of 120 tokens each.
 */
export async function seedAtScale(
  db: Database,
  options: { users: number; conversationsPerUser: number; historyLength: number },
): Promise<ScaleSeed> {
  const { users, conversationsPerUser, historyLength } = options
  return db.asOwner(async (owner) => {
    await owner.query(
      `insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data)
       select gen_random_uuid(), 'authenticated', 'authenticated', 'scale-' || i || '@example.test', '{}', '{}'
       from generate_series(1, $1::int) i`,
      [users],
    )
    await owner.query(
      `insert into public.conversations (user_id, title, last_message_at)
       select u.id, 'Conversation ' || c, now() - make_interval(secs => (random() * 1e7)::int)
       from auth.users u cross join generate_series(1, $1::int) c
       where u.email like 'scale-%'`,
      [conversationsPerUser],
    )
    const [user] = await owner.query<{ id: string }>(
      `select id from auth.users where email like 'scale-%' order by email limit 1`,
    )
    const ids = await owner.query<{ id: string }>(
      'select id from public.conversations where user_id = $1 order by id limit 2',
      [user?.id],
    )
    const [thread, other] = ids
    if (!user || !thread || !other) throw new Error('the seed needs at least two conversations')
    // One statement builds the linear thread: message i answers message i - 1.
    await owner.query(
      `with ids as (
         select i, gen_random_uuid() as id from generate_series(1, $3::int) i
       )
       insert into public.messages (id, conversation_id, user_id, parent_id, role, content, token_count)
       select m.id, $1, $2, p.id,
              case when m.i % 2 = 1 then 'user' else 'assistant' end,
              repeat('Lorem ipsum dolor sit amet. ', 20), 120
       from ids m left join ids p on p.i = m.i - 1
       order by m.i`,
      [thread.id, user.id, historyLength],
    )
    await owner.exec('analyze')
    const [last] = await owner.query<{ id: string }>(
      'select id from public.messages where conversation_id = $1 order by seq desc limit 1',
      [thread.id],
    )
    if (!last) throw new Error('the seeded thread has messages')
    return { userId: user.id, threadId: thread.id, lastMessageId: last.id, appendTo: other.id }
  })
}

/** The plan of the conversation list's query for the given user (to confirm it uses its index). */
export function explainConversationList(db: Database, claims: JwtClaims): Promise<string> {
  return db.withUser(claims, async (tx) => {
    const result = await tx.execute(sql`explain select * from public.conversations
      where user_id = (select auth.uid()) and archived_at is null
      order by last_message_at desc, id desc limit 31`)
    const rows = executedRows<Record<string, string>>(result)
    return rows.map((row) => Object.values(row)[0]).join('\n')
  })
}
