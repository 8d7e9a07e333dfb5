import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, Tx } from '../client.ts'
import { DbError } from '../errors.ts'
import { createTestDatabase, createTestUser, type TestUser } from '../testing/index.ts'
import { getAdminUser, listAdminUsers, updateAdminUser } from './admin-users.ts'
import { createSession, getAuthUser, getSession } from './auth.ts'
import { insertUsageEvent } from './usage-events.ts'

let db: Database
let admin: TestUser
let user: TestUser
const defaults = { limitMicroUsd: null, period: 'monthly' } as const

beforeAll(async () => {
  db = await createTestDatabase()
  admin = await createTestUser(db, { admin: true })
  user = await createTestUser(db)
})
afterAll(() => db?.close())

const as = <T>(who: TestUser, fn: (tx: Tx) => Promise<T>) => db.withUser(who.claims, fn)

async function failure(work: Promise<unknown>) {
  return work.then(
    () => undefined,
    (error: unknown) => error,
  )
}

describe('admin users in the database', () => {
  it('lists accounts with their role and spend this period to an admin only', async () => {
    await as(user, (tx) =>
      insertUsageEvent(tx, {
        provider: 'openai',
        model: 'gpt-test',
        inputTokens: 10,
        outputTokens: 5,
        costMicroUsd: 1_250_000,
        status: 'ok',
      }),
    )
    const page = await as(admin, (tx) =>
      listAdminUsers(tx, { query: user.email.slice(0, 12) }, defaults),
    )
    expect(page.items).toEqual([
      expect.objectContaining({
        id: user.id,
        email: user.email,
        role: 'user',
        bannedUntil: null,
        spendPeriod: 'monthly',
        spentMicroUsd: 1_250_000,
      }),
    ])
    expect(await as(user, (tx) => listAdminUsers(tx, {}, defaults))).toEqual({
      items: [],
      nextCursor: null,
    })
    expect(await as(user, (tx) => getAdminUser(tx, admin.id, defaults))).toBeNull()
  })

  it('treats % and _ in the search as plain characters', async () => {
    const page = await as(admin, (tx) => listAdminUsers(tx, { query: '%' }, defaults))
    expect(page.items).toEqual([])
  })

  it('refuses an ordinary user who tries to change an account', async () => {
    const error = await failure(as(user, (tx) => updateAdminUser(tx, admin.id, { role: 'user' })))
    expect(error).toBeInstanceOf(DbError)
    expect((error as DbError).code).toBe('forbidden')
    const row = await db.asService((tx) => getAuthUser(tx, admin.id))
    expect(row?.rawAppMetaData.role).toBe('admin')
  })

  it('refuses to let an admin demote or disable themselves', async () => {
    for (const change of [{ role: 'user' as const }, { disabled: true }]) {
      const error = await failure(as(admin, (tx) => updateAdminUser(tx, admin.id, change)))
      expect((error as DbError).code).toBe('conflict')
    }
  })

  it('disables an account: its sessions end and its claims open no transaction', async () => {
    const target = await createTestUser(db)
    const session = await db.asService((tx) => createSession(tx, { userId: target.id }))
    expect(await as(admin, (tx) => updateAdminUser(tx, target.id, { disabled: true }))).toBe(true)
    expect(await db.asService((tx) => getSession(tx, session.id))).toBeNull()
    const error = await failure(as(target, async () => 'ran'))
    expect((error as DbError).code).toBe('unauthorized')

    expect(await as(admin, (tx) => updateAdminUser(tx, target.id, { disabled: false }))).toBe(true)
    expect(await as(target, async () => 'ran')).toBe('ran')
  })
})
