import net from 'node:net'
import { sql } from 'drizzle-orm'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Tx } from './client.ts'
import { executedRows } from './json-row.ts'
import { arrayParam } from './sql-array.ts'
import { testDatabaseUrl } from './testing/env.ts'
import { createTestDatabase, createTestUser } from './testing/index.ts'

/** Socket writes made while `fn` runs. */
async function countWrites(fn: () => Promise<unknown>): Promise<number> {
  let writes = 0
  const write = net.Socket.prototype.write
  net.Socket.prototype.write = function (this: net.Socket, ...args: Parameters<typeof write>) {
    writes++
    return write.apply(this, args)
  } as typeof write
  try {
    await fn()
  } finally {
    net.Socket.prototype.write = write
  }
  return writes
}

/**
 * Both drivers are patched to send a statement whose parameters are plain values (text,
 * numbers, booleans) as text, without asking the server for their types first: one
 * protocol exchange per statement. These tests pin the values that must survive that, and the
 * exchange count itself, so a driver upgrade that drops the patch is noticed.
 */
describe('statements with plain parameters', () => {
  let db: Database
  beforeAll(async () => {
    db = await createTestDatabase()
  })
  afterAll(() => db?.close())

  const text = `it's a "quote", a back\\slash, 100% _under_ and ünïcødé 🎉`
  const at = new Date('2026-12-06T07:30:15.123Z')

  it('keeps every kind of value exact', async () => {
    const [row] = await db.asService(async (tx) =>
      executedRows<Record<string, unknown>>(
        await tx.execute(sql`select
          ${text}::text as text,
          ${42}::integer as int,
          ${-1.5}::double precision as float,
          ${9_007_199_254_740_993n}::bigint::text as big,
          ${true}::boolean as yes,
          ${false}::boolean as no,
          (extract(epoch from ${at.toISOString()}::timestamptz) * 1000)::bigint::text as at_ms,
          ${JSON.stringify({ a: [1, 'two'], b: null })}::jsonb ->> 'a' as json,
          ${null}::text is null as nothing,
          ${arrayParam([1.5, 2, 3], 'real[]')} as reals`),
      ),
    )
    expect(row).toEqual({
      text,
      int: 42,
      float: -1.5,
      big: '9007199254740993',
      yes: true,
      no: false,
      at_ms: String(at.getTime()),
      json: '[1, "two"]',
      nothing: true,
      reals: [1.5, 2, 3],
    })
  })

  it('reports a bad value as the statement error it is, and the next statement still runs', async () => {
    await expect(
      db.asService((tx) => tx.execute(sql`select ${'not a number'}::integer`)),
    ).rejects.toMatchObject({ code: 'invalid_input' })
    const rows = await db.ownerStatement<{ x: number }>('select $1::integer + 1 as x', [1])
    expect(rows).toEqual([{ x: 2 }])
  })

  it.skipIf(Boolean(testDatabaseUrl))('go to PGlite in one protocol call', async () => {
    const pglite = db.pglite
    if (!pglite) throw new Error('embedded')
    const calls: number[] = []
    const original = pglite.execProtocolStream.bind(pglite)
    pglite.execProtocolStream = (message, options) => {
      calls.push(message.length)
      return original(message, options)
    }
    try {
      await db.ownerStatement('select $1::integer + $2::integer as x', [1, 2])
    } finally {
      pglite.execProtocolStream = original
    }
    // Parse, bind, describe and execute together, then the sync.
    expect(calls).toHaveLength(2)
  })

  it.skipIf(!testDatabaseUrl)('go to Postgres in one write', async () => {
    await db.ownerStatement('select 1', [])
    const writes = await countWrites(() =>
      db.ownerStatement('select $1::integer + $2::integer as x', [1, 2]),
    )
    expect(writes).toBe(1)
  })
})

/**
 * On Postgres a transaction's BEGIN is not awaited: it goes out with the transaction's first
 * statement (the claims, for every `withUser`), so opening a transaction costs one round trip.
 */
describe.skipIf(!testDatabaseUrl)('transactions on Postgres', () => {
  let db: Database
  beforeAll(async () => {
    db = await createTestDatabase()
  })
  afterAll(() => db?.close())

  it('open with their first statement in one write: BEGIN and the claims, the work, COMMIT', async () => {
    await db.asService((tx) => tx.execute(sql`select 1`))
    const writes = await countWrites(() =>
      db.asService((tx) => tx.execute(sql`select ${1}::integer as x`)),
    )
    expect(writes).toBe(3)
  })

  it('send a pipelined first statement with them: BEGIN, the claims and the statement, then COMMIT', async () => {
    const user = await createTestUser(db)
    const select = (tx: Tx) => tx.execute(sql`select ${1}::integer as x`)
    await db.withUser(user.claims, select, { pipelined: true })
    expect(await countWrites(() => db.withUser(user.claims, select, { pipelined: true }))).toBe(2)
    expect(await countWrites(() => db.withUser(user.claims, select))).toBe(3)
  })

  it('still roll back everything when a statement fails, and the connection serves the next', async () => {
    await db.asOwner((owner) => owner.exec('create table if not exists driver_probe (n int)'))
    await expect(
      db.asOwner(async (owner) => {
        await owner.query('insert into driver_probe values (1)')
        await owner.query('select 1 / 0')
      }),
    ).rejects.toMatchObject({ code: expect.any(String) })
    const rows = await db.ownerStatement<{ n: number }>(
      'select count(*)::int as n from driver_probe',
      [],
    )
    expect(rows).toEqual([{ n: 0 }])
  })

  it('refuse every statement after a BEGIN that failed', async () => {
    const url = testDatabaseUrl ?? ''
    const client = postgres(url, { max: 1, pipeline_begin: true, onnotice: () => {} })
    try {
      await client`create temp table begin_probe (n int)`
      const sent: string[] = []
      const outcome = client.begin('isolation level nonsense', async (tx) => {
        // Sent with the failing BEGIN (it runs on its own: keep first statements harmless).
        await tx`select 1`.catch(() => sent.push('first'))
        await tx`insert into begin_probe values (1)`
        sent.push('second')
      })
      await expect(outcome).rejects.toMatchObject({ code: '42601' })
      expect(sent).not.toContain('second')
      expect(await client`select count(*)::int as n from begin_probe`).toEqual([{ n: 0 }])
    } finally {
      await client.end({ timeout: 5 })
    }
  })
})
