import { conversations, messages } from '@parley/schema/tables'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from './client.ts'
import { DbError, isTransientDbError, toDbError } from './errors.ts'
import { createTestDatabase, createTestUser, type TestUser } from './testing/index.ts'

let db: Database
let user: TestUser
beforeAll(async () => {
  db = await createTestDatabase()
  user = await createTestUser(db)
})
afterAll(() => db?.close())

describe('database errors', () => {
  it('surface a violated check as invalid input, naming the constraint but not the SQL', async () => {
    const error = await db
      .withUser(user.claims, (tx) => tx.insert(conversations).values({ temperature: 5 }))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DbError)
    expect(error).toMatchObject({
      code: 'invalid_input',
      sqlState: '23514',
      constraint: 'conversations_temperature_range',
    })
    expect((error as Error).message).not.toMatch(/insert|select|conversations/i)
  })

  it('surface a duplicate key as a conflict', async () => {
    const error = await db
      .withUser(user.claims, async (tx) => {
        const [c] = await tx.insert(conversations).values({}).returning()
        const id = crypto.randomUUID()
        const row = { id, conversationId: c?.id ?? '', role: 'user' as const }
        await tx.insert(messages).values(row)
        await tx.insert(messages).values(row)
      })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'conflict', sqlState: '23505' })
  })

  it('roll back the whole transaction, leaving no half-written rows', async () => {
    const before = await db.withUser(user.claims, (tx) => tx.select().from(conversations))
    await db
      .withUser(user.claims, async (tx) => {
        await tx.insert(conversations).values({ title: 'half' })
        await tx.insert(conversations).values({ temperature: -1 })
      })
      .catch(() => undefined)
    const after = await db.withUser(user.claims, (tx) => tx.select().from(conversations))
    expect(after).toEqual(before)
  })

  it('leave errors that are not from the database untouched', () => {
    const plain = new TypeError('boom')
    expect(toDbError(plain)).toBe(plain)
    expect(toDbError({ code: 'ECONNRESET' })).toEqual({ code: 'ECONNRESET' })
    expect(toDbError({ code: '08006' })).toMatchObject({ code: 'unavailable' })
  })

  it('tell a database that may answer later from a write that will never succeed', () => {
    const transient = [
      toDbError({ code: '08006' }),
      toDbError({ code: '57P01' }),
      toDbError({ code: '40001' }),
      Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' }),
      new Error('wrapped', {
        cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
      }),
    ]
    for (const error of transient) expect(isTransientDbError(error)).toBe(true)
    const permanent = [
      toDbError({ code: '23514' }),
      toDbError({ code: '23505' }),
      toDbError({ code: '42501' }),
      new Error('a settle step failed'),
    ]
    for (const error of permanent) expect(isTransientDbError(error)).toBe(false)
  })
})
