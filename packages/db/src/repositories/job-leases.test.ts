import { randomUUID } from 'node:crypto'
import { jobLeases } from '@parley/schema/tables'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../client.ts'
import { createTestDatabase } from '../testing/index.ts'
import { releaseJobLease, takeJobLease } from './job-leases.ts'

let db: Database
beforeAll(async () => {
  db = await createTestDatabase()
})
afterAll(() => db?.close())

const take = (job: string, instanceId: string) =>
  db.asService((tx) => takeJobLease(tx, { job, instanceId, seconds: 60 }))

describe('job leases', () => {
  it('give a job to one instance at a time, which may renew it', async () => {
    const job = `job-${randomUUID()}`
    const [a, b] = [randomUUID(), randomUUID()]
    expect(await take(job, a)).toBe(true)
    expect(await take(job, b)).toBe(false)
    expect(await take(job, a)).toBe(true)
    expect(await take(job, b)).toBe(false)
  })

  it('let two instances asking at once have one lease between them', async () => {
    const job = `job-${randomUUID()}`
    const taken = await Promise.all(
      [randomUUID(), randomUUID(), randomUUID()].map((id) => take(job, id)),
    )
    expect(taken.filter(Boolean)).toHaveLength(1)
  })

  it('pass a job on once its holder gives it up or its lease runs out', async () => {
    const job = `job-${randomUUID()}`
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()]
    expect(await take(job, a)).toBe(true)
    // Giving up a lease one does not hold changes nothing.
    await db.asService((tx) => releaseJobLease(tx, { job, instanceId: b }))
    expect(await take(job, b)).toBe(false)
    await db.asService((tx) => releaseJobLease(tx, { job, instanceId: a }))
    expect(await take(job, b)).toBe(true)
    // b's server died: its lease is left to run out.
    await db.asService((tx) =>
      tx
        .update(jobLeases)
        .set({ leaseUntil: sql`now() - interval '1 second'` })
        .where(eq(jobLeases.job, job)),
    )
    expect(await take(job, c)).toBe(true)
    expect(await take(job, b)).toBe(false)
  })
})
