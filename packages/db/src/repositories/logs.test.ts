import { randomUUID } from 'node:crypto'
import { activityLog, errorLog } from '@parley/schema/tables'
import { inArray } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Tx } from '../client.ts'
import { DbError } from '../errors.ts'
import { testDatabaseUrl } from '../testing/env.ts'
import { anonClaims, createTestDatabase, createTestUser, type TestUser } from '../testing/index.ts'
import {
  countErrors,
  insertActivity,
  insertErrors,
  listActivity,
  listErrors,
  purgeLogs,
  resolveError,
} from './logs.ts'

let db: Database
let user: TestUser
let other: TestUser
let admin: TestUser
beforeAll(async () => {
  db = await createTestDatabase()
  user = await createTestUser(db)
  other = await createTestUser(db)
  admin = await createTestUser(db, { admin: true })
})
afterAll(() => db?.close())

const as = <T>(who: TestUser, fn: (tx: Tx) => Promise<T>) => db.withUser(who.claims, fn)
const dayMs = 86_400_000

async function anError(code: string, at?: Date) {
  const id = randomUUID()
  await db.asService((tx) =>
    insertErrors(tx, [
      {
        id,
        source: 'server',
        severity: 'error',
        code,
        message: 'something went wrong on our side',
        route: `/api/v1/${code}`,
        requestId: `req-${id}`,
        ...(at ? { createdAt: at } : {}),
      },
    ]),
  )
  return id
}

describe('activity log under row-level security', () => {
  it('shows a user their own activity only, and an admin everyone’s', async () => {
    const mine = randomUUID()
    const theirs = randomUUID()
    await db.asService((tx) =>
      insertActivity(tx, [
        { userId: user.id, type: 'conversation_created', targetId: mine, requestId: 'r1' },
        { userId: other.id, type: 'conversation_created', targetId: theirs, requestId: 'r2' },
      ]),
    )
    const own = await as(user, (tx) => listActivity(tx, { limit: 50, scope: 'visible' }))
    expect(own.items.map((row) => row.targetId)).toEqual([mine])
    const asAdmin = await as(admin, (tx) =>
      listActivity(tx, { limit: 50, scope: 'visible', type: 'conversation_created' }),
    )
    expect(asAdmin.items.map((row) => row.targetId)).toEqual(expect.arrayContaining([mine, theirs]))
    const filtered = await as(admin, (tx) =>
      listActivity(tx, { limit: 50, scope: 'visible', userId: other.id }),
    )
    expect(filtered.items.map((row) => row.targetId)).toEqual([theirs])
  })

  it('pages newest first with a cursor', async () => {
    const who = await createTestUser(db)
    const base = Date.now() - 60_000
    await db.asService((tx) =>
      insertActivity(
        tx,
        [0, 1, 2].map((i) => ({
          userId: who.id,
          type: 'sign_in' as const,
          targetId: `t${i}`,
          createdAt: new Date(base + i * 1000),
        })),
      ),
    )
    const first = await as(who, (tx) => listActivity(tx, { limit: 2, scope: 'own' }))
    expect(first.items.map((row) => row.targetId)).toEqual(['t2', 't1'])
    const second = await as(who, (tx) =>
      listActivity(tx, { limit: 2, scope: 'own', cursor: first.nextCursor ?? undefined }),
    )
    expect(second.items.map((row) => row.targetId)).toEqual(['t0'])
    expect(second.nextCursor).toBeNull()
  })

  it('shows signed-out callers nothing', async () => {
    await expect(
      db.withUser(anonClaims, (tx) => listActivity(tx, { limit: 10, scope: 'visible' })),
    ).rejects.toBeInstanceOf(DbError)
    await expect(
      db.withUser(anonClaims, (tx) => listErrors(tx, { limit: 10 })),
    ).rejects.toBeInstanceOf(DbError)
  })

  it('refuses writes from users: only the server records activity', async () => {
    await expect(
      as(user, (tx) => insertActivity(tx, [{ userId: user.id, type: 'sign_in' }])),
    ).rejects.toBeInstanceOf(DbError)
  })
})

describe('error log under row-level security', () => {
  it('shows ordinary users no rows and lets them change none', async () => {
    const id = await anError('internal_error')
    expect(await as(user, (tx) => tx.select().from(errorLog))).toEqual([])
    expect(await as(user, (tx) => resolveError(tx, id, { resolved: true }))).toBeNull()
    const [row] = await db.asService((tx) =>
      tx
        .select()
        .from(errorLog)
        .where(inArray(errorLog.id, [id])),
    )
    expect(row?.resolvedAt).toBeNull()
  })

  it('lets an admin list, count, resolve with a note and reopen', async () => {
    const code = `code_${randomUUID().slice(0, 8)}`
    const id = await anError(code)
    await anError(code)
    const page = await as(admin, (tx) => listErrors(tx, { limit: 100, resolved: false }))
    expect(page.items.map((row) => row.id)).toContain(id)
    const counts = await as(admin, (tx) => countErrors(tx, 'code', {}))
    expect(counts.find((group) => group.key === code)).toMatchObject({ count: 2, unresolved: 2 })

    const resolved = await as(admin, (tx) =>
      resolveError(tx, id, { resolved: true, note: 'fixed by restarting the proxy' }),
    )
    expect(resolved).toMatchObject({
      resolvedBy: admin.id,
      resolutionNote: 'fixed by restarting the proxy',
    })
    expect(resolved?.resolvedAt).toBeInstanceOf(Date)
    const after = await as(admin, (tx) => countErrors(tx, 'code', {}))
    expect(after.find((group) => group.key === code)).toMatchObject({ count: 2, unresolved: 1 })

    const reopened = await as(admin, (tx) => resolveError(tx, id, { resolved: false }))
    expect(reopened).toMatchObject({ resolvedAt: null, resolvedBy: null, resolutionNote: null })
  })
})

describe('retention purge', () => {
  it('removes only rows past retention, once per period', async () => {
    await db.asOwner((sql) =>
      sql.query(`update parley_internal.log_purges set purged_at = '-infinity'`),
    )
    const now = new Date()
    const who = await createTestUser(db)
    const old = new Date(now.getTime() - 100 * dayMs)
    const recent = new Date(now.getTime() - 10 * dayMs)
    await db.asService((tx) =>
      insertActivity(tx, [
        { userId: who.id, type: 'sign_in', targetId: 'old', createdAt: old },
        { userId: who.id, type: 'sign_in', targetId: 'recent', createdAt: recent },
      ]),
    )
    const oldError = await anError('purge_old', old)
    const recentError = await anError('purge_recent', recent)
    const options = { now, retentionDays: 90, periodMs: dayMs }

    expect(await db.asService((tx) => purgeLogs(tx, options))).toMatchObject({ purged: true })
    const left = await as(who, (tx) => listActivity(tx, { limit: 10, scope: 'own' }))
    expect(left.items.map((row) => row.targetId)).toEqual(['recent'])
    const errors = await db.asService((tx) =>
      tx
        .select({ id: errorLog.id })
        .from(errorLog)
        .where(inArray(errorLog.id, [oldError, recentError])),
    )
    expect(errors.map((row) => row.id)).toEqual([recentError])

    // Another instance later in the same period purges nothing, even with old rows present.
    await db.asService((tx) =>
      insertActivity(tx, [{ userId: who.id, type: 'sign_in', targetId: 'late', createdAt: old }]),
    )
    const later = { ...options, now: new Date(now.getTime() + dayMs / 2) }
    expect(await db.asService((tx) => purgeLogs(tx, later))).toEqual({ purged: false })
    const still = await db.asService((tx) =>
      tx
        .select({ id: activityLog.id })
        .from(activityLog)
        .where(inArray(activityLog.userId, [who.id])),
    )
    expect(still).toHaveLength(2)

    const nextPeriod = { ...options, now: new Date(now.getTime() + dayMs) }
    expect(await db.asService((tx) => purgeLogs(tx, nextPeriod))).toMatchObject({
      purged: true,
      activity: expect.any(Number),
    })
  })
})

/** Several instances at once need a real Postgres: PGlite runs one transaction at a time. */
describe.skipIf(!testDatabaseUrl)('retention purge from several instances at once', () => {
  it('purges exactly once per period', async () => {
    const instances = await Promise.all([createTestDatabase(), createTestDatabase()])
    try {
      const resetSql = `update parley_internal.log_purges set purged_at = '-infinity'`
      await db.asOwner((sql) => sql.query(resetSql))
      const start = Date.now() + 1000 * dayMs
      for (let period = 0; period < 10; period++) {
        const now = new Date(start + period * dayMs)
        const results = await Promise.all(
          [...instances, db, ...instances].map((instance) =>
            instance.asService((tx) =>
              purgeLogs(tx, { now, retentionDays: 100_000, periodMs: dayMs }),
            ),
          ),
        )
        expect(results.filter((result) => result.purged)).toHaveLength(1)
      }
      await db.asOwner((sql) => sql.query(resetSql))
    } finally {
      await Promise.all(instances.map((instance) => instance.close()))
    }
  })
})
