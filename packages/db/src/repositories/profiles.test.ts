import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../client.ts'
import { createTestDatabase, createTestUser } from '../testing/index.ts'
import { getOwnProfile, updateOwnProfile } from './profiles.ts'

let db: Database
beforeAll(async () => {
  db = await createTestDatabase()
})
afterAll(() => db?.close())

describe('profiles', () => {
  it('exist from sign-up with the email and the display name given then', async () => {
    const user = await createTestUser(db, { displayName: '  Ada Lovelace ' })
    const profile = await db.withUser(user.claims, getOwnProfile)
    expect(profile).toMatchObject({
      id: user.id,
      email: user.email,
      displayName: 'Ada Lovelace',
      theme: 'system',
      settings: {},
    })
  })

  it('take the owner’s changes', async () => {
    const user = await createTestUser(db)
    const updated = await db.withUser(user.claims, (tx) =>
      updateOwnProfile(tx, { displayName: 'Grace', theme: 'dark', defaultModel: 'gpt-5-mini' }),
    )
    expect(updated).toMatchObject({
      displayName: 'Grace',
      theme: 'dark',
      defaultModel: 'gpt-5-mini',
    })
  })

  it('reject invalid changes before SQL', async () => {
    const user = await createTestUser(db)
    for (const patch of [{ theme: 'neon' }, { displayName: '' }, {}, { email: 'x@y.z' }]) {
      await expect(
        db.withUser(user.claims, (tx) =>
          updateOwnProfile(tx, patch as Parameters<typeof updateOwnProfile>[1]),
        ),
      ).rejects.toMatchObject({ code: 'invalid_input' })
    }
    expect(await db.withUser(user.claims, getOwnProfile)).toMatchObject({ theme: 'system' })
  })
})
