import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from './client.ts'
import {
  blockedUntil,
  clearRateLimit,
  hitRateLimits,
  hitRateLimitsTakingSlot,
  recordFailure,
  releaseStreamSlot,
  renewStreamSlots,
  sweepRateLimits,
  takeStreamSlot,
} from './repositories/rate-limits.ts'
import { createTestDatabase } from './testing/index.ts'

let db: Database
beforeAll(async () => {
  db = await createTestDatabase()
})
afterAll(() => db?.close())

const t0 = new Date('2026-12-05T12:00:00.000Z')
const after = (seconds: number) => new Date(t0.getTime() + seconds * 1000)

describe('fixed-window counters', () => {
  it('count hits in the window and start over when it ends', async () => {
    const key = `test:${randomUUID()}`
    const hit = async (at: Date) =>
      (await hitRateLimits(db, { keys: [{ key, windowSeconds: 60 }], at }))[0]
    expect(await hit(t0)).toEqual({ hits: 1, until: after(60) })
    expect(await hit(after(30))).toEqual({ hits: 2, until: after(60) })
    expect(await hit(after(60))).toEqual({ hits: 1, until: after(120) })
  })

  it('count several keys in one statement, each in its own window, answered in order', async () => {
    const minute = `test:${randomUUID()}`
    const hour = `test:${randomUUID()}`
    const both = (at: Date) =>
      hitRateLimits(db, {
        keys: [
          { key: hour, windowSeconds: 3600 },
          { key: minute, windowSeconds: 60 },
        ],
        at,
      })
    expect(await both(t0)).toEqual([
      { hits: 1, until: after(3600) },
      { hits: 1, until: after(60) },
    ])
    expect(
      await hitRateLimits(db, { keys: [{ key: minute, windowSeconds: 60 }], at: after(1) }),
    ).toEqual([{ hits: 2, until: after(60) }])
    expect(await both(after(61))).toEqual([
      { hits: 2, until: after(3600) },
      { hits: 1, until: after(121) },
    ])
  })
})

describe('failure delays', () => {
  const policy = { free: 2, maxSeconds: 8, forgetSeconds: 3600 }

  it('wait nothing for the free failures, then double up to the cap, and clear on success', async () => {
    const key = `signin:${randomUUID()}`
    const waits: number[] = []
    for (let i = 0; i < 7; i++) {
      const count = await recordFailure(db, { key, at: t0, policy })
      waits.push((count.until.getTime() - t0.getTime()) / 1000)
    }
    expect(waits).toEqual([0, 0, 1, 2, 4, 8, 8])
    expect(await blockedUntil(db, { key, at: t0 })).toEqual(after(8))
    expect(await blockedUntil(db, { key, at: after(8) })).toBeUndefined()
    await clearRateLimit(db, key)
    expect((await recordFailure(db, { key, at: t0, policy })).hits).toBe(1)
  })

  it('start over after a quiet spell', async () => {
    const key = `signin:${randomUUID()}`
    for (let i = 0; i < 4; i++) await recordFailure(db, { key, at: t0, policy })
    expect((await recordFailure(db, { key, at: after(3600), policy })).hits).toBe(1)
  })
})

describe('stream slots', () => {
  it('cap live streams per user, lapse unless renewed, and free on release', async () => {
    const userId = randomUUID()
    const take = (id: string, at: Date) =>
      takeStreamSlot(db, { id, userId, max: 2, at, ttlSeconds: 60 })
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()]
    expect(await take(a, t0)).toBeUndefined()
    expect(await take(b, after(10))).toBeUndefined()
    expect(await take(c, after(20))).toEqual(after(60))

    // `b`'s holder renews it; `a`'s holder is gone, so its slot lapses.
    await renewStreamSlots(db, { ids: [b], expiresAt: after(100) })
    expect(await take(c, after(61))).toBeUndefined()
    expect(await take(randomUUID(), after(62))).toEqual(after(100))

    await releaseStreamSlot(db, c)
    expect(await take(randomUUID(), after(63))).toBeUndefined()
    expect(await sweepRateLimits(db, after(10_000))).toBeGreaterThanOrEqual(2)
  })

  it('are taken with the counters in one statement, and not at all when a counter refuses', async () => {
    const userId = randomUUID()
    const key = `turns:${randomUUID()}`
    const send = (at: Date, quota: number) =>
      hitRateLimitsTakingSlot(db, {
        keys: [{ key, windowSeconds: 60, quota }],
        at,
        slot: { id: randomUUID(), userId, max: 1, ttlSeconds: 60 },
      })
    expect(await send(t0, 5)).toEqual({
      counts: [{ hits: 1, until: after(60) }],
      slot: { taken: true },
    })
    // The one slot is held: counted, but no slot, and when the held one lapses.
    expect(await send(after(1), 5)).toEqual({
      counts: [{ hits: 2, until: after(60) }],
      slot: { taken: false, lapses: after(60) },
    })
    // Over the quota once that slot lapsed: refused by the counter, so nothing is taken...
    expect(await send(after(61), 0)).toEqual({
      counts: [{ hits: 1, until: after(121) }],
      slot: { taken: false, lapses: undefined },
    })
    // ...and the next send, within its quota, finds the slot free.
    expect((await send(after(62), 5)).slot).toEqual({ taken: true })
  })
})
