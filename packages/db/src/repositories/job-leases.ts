import { uuid } from '@parley/schema/contracts'
import { jobLeases } from '@parley/schema/tables'
import { and, eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Tx } from '../client.ts'
import { parseInput } from '../errors.ts'
import { executedRows } from '../json-row.ts'

const leaseInput = z.strictObject({
  job: z.string().min(1).max(100),
  instanceId: uuid,
  /** How long the lease lasts from now, unless renewed. */
  seconds: z.number().int().min(1).max(86_400),
})
export type JobLeaseInput = z.input<typeof leaseInput>

/**
 * Takes the lease on `job` for the instance, or renews it when the instance holds it already, in
 * one statement; false while another instance holds a lease that has not run out. Two instances
 * asking at once queue on the job's row: one gets it. A system job (service role).
 */
export async function takeJobLease(tx: Tx, input: JobLeaseInput): Promise<boolean> {
  const { job, instanceId, seconds } = parseInput(leaseInput, input)
  const rows = executedRows<{ job: string }>(
    await tx.execute(sql`
      insert into ${jobLeases} as l (job, instance_id, lease_until)
      values (${job}, ${instanceId}::uuid, now() + make_interval(secs => ${seconds}))
      on conflict (job) do update
        set instance_id = excluded.instance_id, lease_until = excluded.lease_until
        where l.instance_id = excluded.instance_id or l.lease_until < now()
      returning l.job`),
  )
  return rows.length === 1
}

/** Gives up the instance's lease on `job` (nothing when another instance holds it). */
export async function releaseJobLease(
  tx: Tx,
  input: Pick<JobLeaseInput, 'job' | 'instanceId'>,
): Promise<void> {
  const { job, instanceId } = parseInput(leaseInput.pick({ job: true, instanceId: true }), input)
  await tx
    .delete(jobLeases)
    .where(and(eq(jobLeases.job, job), eq(jobLeases.instanceId, instanceId)))
}
