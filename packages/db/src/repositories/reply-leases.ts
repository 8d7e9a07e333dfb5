import { uuid } from '@parley/schema/contracts'
import { messages, replyLeases } from '@parley/schema/tables'
import { and, eq, exists, lt, not, or, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Tx } from '../client.ts'
import { parseInput } from '../errors.ts'

const leaseIds = z.array(uuid).max(100_000)

/**
 * Renews, in one statement, the lease of a server instance on each of its live replies (taking
 * it when the reply has none yet). Replies no longer streaming are skipped. A system job.
 */
export async function renewReplyLeases(
  tx: Tx,
  instanceId: string,
  messageIds: readonly string[],
): Promise<void> {
  const instance = parseInput(uuid, instanceId)
  const ids = parseInput(leaseIds, messageIds)
  if (ids.length === 0) return
  await tx.execute(sql`
    insert into ${replyLeases} (message_id, instance_id, heartbeat_at)
    select m.id, ${instance}::uuid, now() from ${messages} m
    where m.id in (select value::uuid from jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))
      and m.status = 'streaming'
    on conflict (message_id) do update
      set instance_id = excluded.instance_id, heartbeat_at = excluded.heartbeat_at`)
}

export const orphanedRepliesInput = z.strictObject({
  /** A lease not renewed for this long belongs to a server that is gone. */
  staleSeconds: z.number().min(0),
  /** A reply that never had a lease (its server died before the first heartbeat, or predates leases) is orphaned once idle this long. */
  unleasedSeconds: z.number().min(0),
})

/**
 * Closes the streaming replies whose server is gone (their lease is stale, or they have none and
 * sat idle): kept with what was written (`incomplete`), or `error` when nothing was. Forgets
 * the leases of replies no longer streaming. Returns how many replies were closed. A system job.
 */
export async function closeOrphanedReplies(
  tx: Tx,
  input: z.input<typeof orphanedRepliesInput>,
): Promise<number> {
  const { staleSeconds, unleasedSeconds } = parseInput(orphanedRepliesInput, input)
  const lease = (condition = sql`true`) =>
    tx
      .select({ one: sql`1` })
      .from(replyLeases)
      .where(and(eq(replyLeases.messageId, messages.id), condition))
  const closed = await tx
    .update(messages)
    .set({
      status: sql`case when ${messages.content} = '' then 'error' else 'incomplete' end`,
      error: { code: 'interrupted', message: 'The server stopped before the reply was finished' },
    })
    .where(
      and(
        eq(messages.status, 'streaming'),
        or(
          exists(
            lease(lt(replyLeases.heartbeatAt, sql`now() - make_interval(secs => ${staleSeconds})`)),
          ),
          and(
            not(exists(lease())),
            sql`${messages.updatedAt} <= now() - make_interval(secs => ${unleasedSeconds})`,
          ),
        ),
      ),
    )
    .returning({ id: messages.id })
  await tx.execute(sql`
    delete from ${replyLeases} l
    where not exists (select 1 from ${messages} m where m.id = l.message_id and m.status = 'streaming')`)
  return closed.length
}
