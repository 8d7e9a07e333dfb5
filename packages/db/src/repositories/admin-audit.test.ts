import { adminAudit, modelConfigs } from '@parley/schema/tables'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../client.ts'
import { DbError } from '../errors.ts'
import { createTestDatabase, createTestUser } from '../testing/index.ts'
import { listAdminAudit, recordAdminChange } from './admin-audit.ts'
import { readModelCatalogVersion } from './model-catalog.ts'

let db: Database
beforeAll(async () => {
  db = await createTestDatabase()
})
afterAll(() => db?.close())

const change = (targetId: string) => ({
  action: 'model.update',
  targetType: 'test_target',
  targetId,
  before: { displayName: 'Old' },
  after: { displayName: 'New' },
})

describe('the admin audit trail', () => {
  it('records the acting admin from the token, never from the caller', async () => {
    const admin = await createTestUser(db, { admin: true })
    const row = await db.withUser(admin.claims, (tx) => recordAdminChange(tx, change('a')))
    expect(row).toMatchObject({ actorId: admin.id, actorEmail: admin.email, targetId: 'a' })
    expect(row.after).toEqual({ displayName: 'New' })
  })

  it('is read by admins only, newest first, a page at a time', async () => {
    const admin = await createTestUser(db, { admin: true })
    const targetType = `t_${admin.id.slice(0, 8).replace(/[^a-z]/g, 'x')}`
    // Distinct times, so the order does not rest on two entries' random ids.
    await db.asService((tx) =>
      tx.insert(adminAudit).values(
        ['1', '2', '3'].map((id, i) => ({
          ...change(id),
          targetType,
          actorId: admin.id,
          createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
        })),
      ),
    )
    const first = await db.withUser(admin.claims, (tx) =>
      listAdminAudit(tx, { targetType, limit: 2 }),
    )
    expect(first.items.map((row) => row.targetId)).toEqual(['3', '2'])
    const second = await db.withUser(admin.claims, (tx) =>
      listAdminAudit(tx, { targetType, limit: 2, cursor: first.nextCursor ?? '' }),
    )
    expect(second.items.map((row) => row.targetId)).toEqual(['1'])
    expect(second.nextCursor).toBeNull()

    const user = await createTestUser(db)
    const seen = await db.withUser(user.claims, (tx) => tx.select().from(adminAudit))
    expect(seen).toEqual([])
  })

  it('refuses entries from users who are not admins', async () => {
    const user = await createTestUser(db)
    await expect(
      db.withUser(user.claims, (tx) => recordAdminChange(tx, change('b'))),
    ).rejects.toBeInstanceOf(DbError)
  })

  it('cannot be changed or removed through the API roles, even by an admin', async () => {
    const admin = await createTestUser(db, { admin: true })
    const row = await db.withUser(admin.claims, (tx) => recordAdminChange(tx, change('c')))
    await expect(
      db.withUser(admin.claims, (tx) =>
        tx.update(adminAudit).set({ after: null }).where(eq(adminAudit.id, row.id)),
      ),
    ).rejects.toMatchObject({ code: 'forbidden' })
    await expect(
      db.withUser(admin.claims, (tx) => tx.delete(adminAudit).where(eq(adminAudit.id, row.id))),
    ).rejects.toMatchObject({ code: 'forbidden' })
  })
})

describe('the catalog version', () => {
  it('moves with every committed write to the catalog, not with a rolled back one', async () => {
    const admin = await createTestUser(db, { admin: true })
    const start = await readModelCatalogVersion(db)
    await db.withUser(admin.claims, (tx) =>
      tx
        .update(modelConfigs)
        .set({ displayName: 'Nobody' })
        .where(eq(modelConfigs.id, 'no-such-model')),
    )
    const afterWrite = await readModelCatalogVersion(db)
    expect(afterWrite).toBeGreaterThan(start)
    await db
      .withUser(admin.claims, async (tx) => {
        await tx
          .update(modelConfigs)
          .set({ displayName: 'Never' })
          .where(eq(modelConfigs.id, 'none'))
        throw new Error('roll back')
      })
      .catch(() => {})
    expect(await readModelCatalogVersion(db)).toBe(afterWrite)
  })
})
