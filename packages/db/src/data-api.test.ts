import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, OwnerSql, Tx } from './client.ts'
import { executedRows } from './json-row.ts'
import { readMigrations } from './migrate.ts'
import { reserveBudget, settleBudget } from './repositories/budgets.ts'
import { createConversation, getConversation } from './repositories/conversations.ts'
import { beginTurn, settleTurn } from './repositories/turns.ts'
import { createTestDatabase, createTestUser, inspect, type TestUser } from './testing/index.ts'

let db: Database
beforeAll(async () => {
  db = await createTestDatabase()
})
afterAll(() => db?.close())

const as = <T>(user: TestUser, fn: (tx: Tx) => Promise<T>) => db.withUser(user.claims, fn)

/**
 * Runs one statement as Supabase's Data API (PostgREST) runs a request made with the anon key
 * and the user's own token: as the role `authenticated`, with the token's claims.
 */
function throughDataApi(user: TestUser, statement: string, params: unknown[] = []) {
  return db.asOwner(async (owner) => {
    await owner.query(
      `select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`,
      [JSON.stringify(user.claims)],
    )
    return owner.query(statement, params)
  })
}

async function expectDenied(work: Promise<unknown>) {
  await expect(work).rejects.toMatchObject({ code: 'forbidden', sqlState: '42501' })
}

class Rollback extends Error {}

/** Runs `fn` as the owner in a transaction that is always rolled back, and returns its result. */
async function rolledBack<T>(fn: (owner: OwnerSql) => Promise<T>): Promise<T> {
  let result: { value: T } | undefined
  await db
    .asOwner(async (owner) => {
      result = { value: await fn(owner) }
      throw new Rollback()
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error
    })
  if (!result) throw new Error('the transaction ended before its work')
  return result.value
}

const turnCost = 500
const unlimited = { limitMicroUsd: null, period: 'monthly' } as const

/** One exchange the way the API records it: reserved, begun, settled with its cost, released. */
async function settledTurn(user: TestUser) {
  const conversation = await as(user, (tx) => createConversation(tx))
  const begun = await as(user, (tx) =>
    beginTurn(tx, {
      kind: 'send',
      conversationId: conversation.id,
      content: 'What does this cost?',
      tokenCount: 5,
      offered: ['m-1'],
      defaultModel: 'm-1',
      historyTokens: 10_000,
    }),
  )
  if (begun.status !== 'new') throw new Error(`turn not opened: ${begun.status}`)
  const reply = begun.assistantMessage
  const reservation = await as(user, (tx) =>
    reserveBudget(tx, { messageId: reply.id, amountMicroUsd: 10_000, defaults: unlimited }),
  )
  if (reservation.status !== 'reserved') throw new Error('no reservation')
  await as(user, async (tx) => {
    await settleTurn(tx, {
      messageId: reply.id,
      reply: {
        content: 'About five hundred micro-dollars.',
        status: 'complete',
        model: 'm-1',
        provider: 'openai',
        inputTokens: 40,
        outputTokens: 9,
        cachedInputTokens: 0,
        tokenCount: 9,
        costMicroUsd: turnCost,
        ttftMs: 5,
        latencyMs: 50,
        error: null,
        metadata: {},
      },
      usage: {
        provider: 'openai',
        model: 'm-1',
        status: 'ok',
        inputTokens: 40,
        outputTokens: 9,
        costMicroUsd: turnCost,
      },
    })
    await settleBudget(tx, reservation.reservationId)
  })
  return { conversationId: conversation.id, question: begun.userMessage, reply }
}

describe('through the Data API, a user with their own token', () => {
  let user: TestUser
  let other: TestUser
  let mine: Awaited<ReturnType<typeof settledTurn>>
  let theirs: Awaited<ReturnType<typeof settledTurn>>
  beforeAll(async () => {
    user = await createTestUser(db)
    other = await createTestUser(db)
    mine = await settledTurn(user)
    theirs = await settledTurn(other)
  })

  it('reads their own conversation and usage, and no one else’s', async () => {
    const conversations = await throughDataApi(
      user,
      // bigint travels as text from Postgres and as a number from PGlite: read it as an int
      'select id, cost_micro_usd::int as cost_micro_usd from public.conversations where id = any ($1::uuid[])',
      [[mine.conversationId, theirs.conversationId]],
    )
    expect(conversations).toEqual([{ id: mine.conversationId, cost_micro_usd: turnCost }])
    const usage = await throughDataApi(user, 'select user_id from public.usage_events')
    expect(usage).toEqual([{ user_id: user.id }])
  })

  it('cannot change the tokens or cost of their conversation, messages or profile', async () => {
    await expectDenied(
      throughDataApi(
        user,
        'update public.conversations set cost_micro_usd = 0, input_tokens = 0, output_tokens = 0 where id = $1',
        [mine.conversationId],
      ),
    )
    await expectDenied(
      throughDataApi(
        user,
        'update public.messages set cost_micro_usd = 0, output_tokens = 0, token_count = 0 where id = $1',
        [mine.reply.id],
      ),
    )
    await expectDenied(
      throughDataApi(
        user,
        'update public.profiles set stored_bytes = 0, conversation_count = 0 where id = $1',
        [user.id],
      ),
    )
    const conversation = await as(user, (tx) => getConversation(tx, mine.conversationId))
    expect(conversation).toMatchObject({ costMicroUsd: turnCost, inputTokens: 40, outputTokens: 9 })
  })

  it('cannot rewrite their own reply or another user’s message, nor add one', async () => {
    await expectDenied(
      throughDataApi(user, `update public.messages set content = 'forged' where id = $1`, [
        mine.reply.id,
      ]),
    )
    await expectDenied(
      throughDataApi(user, `update public.messages set content = 'forged' where id = $1`, [
        theirs.question.id,
      ]),
    )
    await expectDenied(
      throughDataApi(
        user,
        `insert into public.messages (conversation_id, role, content) values ($1, 'assistant', 'forged')`,
        [mine.conversationId],
      ),
    )
    const stored = await inspect.messages(db, mine.conversationId)
    expect(stored.map((m) => m.content)).toEqual([
      'What does this cost?',
      'About five hundred micro-dollars.',
    ])
  })

  it('cannot add, change or remove usage rows', async () => {
    await expectDenied(
      throughDataApi(
        user,
        `insert into public.usage_events (provider, model, status, cost_micro_usd) values ('openai', 'm-1', 'ok', -1000000)`,
      ),
    )
    await expectDenied(
      throughDataApi(
        user,
        'update public.usage_events set cost_micro_usd = 0 where message_id = $1',
        [mine.reply.id],
      ),
    )
    await expectDenied(
      throughDataApi(user, 'delete from public.usage_events where message_id = $1', [
        mine.reply.id,
      ]),
    )
    const usage = await inspect.usageOfMessage(db, mine.reply.id)
    expect(usage.map((row) => row.costMicroUsd)).toEqual([turnCost])
  })

  it('cannot set their own budget or touch reservations', async () => {
    await expectDenied(
      throughDataApi(
        user,
        'insert into public.budgets (user_id, limit_micro_usd, overridden) values ($1, null, true)',
        [user.id],
      ),
    )
    await expectDenied(
      throughDataApi(user, 'update public.budgets set limit_micro_usd = null, overridden = true'),
    )
    await expectDenied(
      throughDataApi(
        user,
        'insert into public.budget_reservations (user_id, amount_micro_usd) values ($1, 0)',
        [user.id],
      ),
    )
    await expectDenied(throughDataApi(user, 'delete from public.budget_reservations'))
  })

  it('cannot call the functions only the API uses', async () => {
    const calls = [
      [
        `select public.begin_turn($1::jsonb)`,
        [{ kind: 'send', conversationId: mine.conversationId }],
      ],
      [`select public.settle_turn($1::jsonb)`, [{ messageId: mine.reply.id }]],
      [`select public.reserve_budget($1::jsonb)`, [{ amountMicroUsd: 0 }]],
      [`select public.settle_budget($1::uuid)`, [randomUUID()]],
      [`select public.budget_state($1::uuid, '{}'::jsonb)`, [user.id]],
      [`select * from public.admin_list_users(null, null, null, null, 10, '{}'::jsonb)`, []],
      [`select public.admin_update_user($1::uuid, 'admin', false)`, [user.id]],
    ] as const
    for (const [statement, params] of calls) {
      // jsonb parameters go as JSON text, as PostgREST sends them
      const sent = params.map((param) =>
        typeof param === 'object' ? JSON.stringify(param) : param,
      )
      await expectDenied(throughDataApi(user, statement, sent))
    }
  })

  it('cannot delete from any of Parley’s tables', async () => {
    const tables = await db.asOwner((owner) =>
      owner.query<{ name: string }>(
        `select tablename as name from pg_tables where schemaname = 'public' order by 1`,
      ),
    )
    expect(tables.length).toBeGreaterThan(10)
    for (const { name } of tables) {
      await expectDenied(throughDataApi(user, `delete from public."${name}"`))
    }
  })

  it('cannot switch into the role the API writes with', async () => {
    // PostgREST logs in as `authenticator` (on Supabase a member of `anon`, `authenticated` and
    // `service_role`) and sets the role a token names; Postgres allows it for its members only.
    const membership = await rolledBack(async (owner) => {
      await owner.exec(`
        do $$ begin
          if not exists (select 1 from pg_roles where rolname = 'authenticator') then
            create role authenticator noinherit nologin;
          end if;
        end $$;
        grant anon, authenticated, service_role to authenticator;`)
      const [row] = await owner.query(`
        select
          pg_has_role('authenticator', 'authenticated', 'member') as login_to_authenticated,
          pg_has_role('authenticator', 'parley_user', 'member') as login_to_api_role,
          pg_has_role('authenticated', 'parley_user', 'member') as authenticated_to_api_role`)
      return row
    })
    expect(membership).toEqual({
      login_to_authenticated: true,
      login_to_api_role: false,
      authenticated_to_api_role: false,
    })
  })
})

describe('through the API', () => {
  it('runs as its own role, with the claims auth.role() reads', async () => {
    const user = await createTestUser(db)
    const [row] = await as(user, async (tx) =>
      executedRows<{ role: string; claimed: string }>(
        await tx.execute(sql`select current_user as role, auth.role() as claimed`),
      ),
    )
    expect(row).toEqual({ role: 'parley_user', claimed: 'authenticated' })
  })

  it('still records a turn’s reply, usage, totals and budget', async () => {
    const user = await createTestUser(db)
    const turn = await settledTurn(user)
    const conversation = await as(user, (tx) => getConversation(tx, turn.conversationId))
    expect(conversation).toMatchObject({ costMicroUsd: turnCost, inputTokens: 40, outputTokens: 9 })
    const [reply] = (await inspect.messages(db, turn.conversationId)).slice(-1)
    expect(reply).toMatchObject({ status: 'complete', costMicroUsd: turnCost, tokenCount: 9 })
    expect(await inspect.usageOfMessage(db, turn.reply.id)).toHaveLength(1)
    const reservations = await throughDataApi(
      user,
      'select id from public.budget_reservations where user_id = $1',
      [user.id],
    )
    expect(reservations).toEqual([])
  })
})

describe('the migration that keeps the Data API to reads', () => {
  it('moves the writes of tables and functions added before it to the API’s role', async () => {
    const [migration] = (await readMigrations()).filter((m) => m.name === 'data_api_reads_only')
    if (!migration) throw new Error('the migration exists')
    const privileges = await rolledBack(async (owner) => {
      await owner.exec(`
          create table public.later_files (id uuid primary key, name text, bytes bigint);
          alter table public.later_files enable row level security;
          grant select, insert, delete on public.later_files to authenticated;
          grant update (name) on public.later_files to authenticated;
          create function public.later_search() returns int language sql as 'select 1';
          grant execute on function public.later_search() to authenticated;`)
      for (const statement of migration.statements) await owner.exec(statement)
      const [row] = await owner.query(`
          select
            has_table_privilege('authenticated', 'public.later_files', 'select') as data_api_reads,
            has_table_privilege('authenticated', 'public.later_files', 'insert, delete')
              or has_any_column_privilege('authenticated', 'public.later_files', 'update')
              as data_api_writes,
            has_table_privilege('parley_user', 'public.later_files', 'insert')
              and has_table_privilege('parley_user', 'public.later_files', 'delete')
              and has_column_privilege('parley_user', 'public.later_files', 'name', 'update')
              and not has_column_privilege('parley_user', 'public.later_files', 'bytes', 'update')
              as api_writes,
            has_function_privilege('authenticated', 'public.later_search()', 'execute') as data_api_calls,
            has_function_privilege('parley_user', 'public.later_search()', 'execute') as api_calls`)
      return row
    })
    expect(privileges).toEqual({
      data_api_reads: true,
      data_api_writes: false,
      api_writes: true,
      data_api_calls: false,
      api_calls: true,
    })
  })
})
