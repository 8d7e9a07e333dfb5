import {
  type Database,
  listMessagesToEmbed,
  type MessageToEmbed,
  releaseJobLease,
  takeJobLease,
} from '@parley/db'

/** Messages looked at per step of a catch-up pass (by primary key: cheap, bounded). */
const windowSize = 500

/** Messages of one user per embeddings call. */
const batchSize = 32

/** The job lease of a catch-up pass, renewed before each batch (one call waits 30 s at most). */
const catchUpJob = 'message-embeddings-catch-up'
const catchUpLeaseSeconds = 120

export interface CatchUpOptions {
  /** Which server instance passes: one at a time on a database holds the job's lease. */
  instanceId: string
  /** The embedding model the messages should have. */
  model: string
  embed: (userId: string, messages: MessageToEmbed[]) => Promise<void>
  stopped: () => boolean
}

/**
 * One catch-up pass over every user's messages, under the job's lease: two instances passing at
 * once would both pay for, and charge, the same embeddings. Null, with nothing done, while
 * another instance holds the lease; otherwise how many messages were handed to `embed`.
 */
export async function catchUpUnderLease(
  db: Database,
  { instanceId, model, embed, stopped }: CatchUpOptions,
): Promise<number | null> {
  const lease = { job: catchUpJob, instanceId }
  const hold = () =>
    db.asService((tx) => takeJobLease(tx, { ...lease, seconds: catchUpLeaseSeconds }))
  if (!(await hold())) return null
  try {
    return await catchUp(db, model, embed, async () => !stopped() && (await hold()))
  } finally {
    await db.asService((tx) => releaseJobLease(tx, lease))
  }
}

/**
 * A pass over every user's messages, a window at a time: the messages without an embedding of
 * `model` (written while semantic search was off, by another model, or whose embedding failed)
 * are handed to `embed`, one user's batch at a time. Stops at the first failure (the endpoint is
 * likely down; the next pass goes on) or when `goOn`, asked before each batch and each window
 * after the first, says no (stopped, or the lease lost). Returns how many messages were handed over.
 */
async function catchUp(
  db: Database,
  model: string,
  embed: (userId: string, messages: MessageToEmbed[]) => Promise<void>,
  goOn: () => Promise<boolean>,
): Promise<number> {
  let after: string | undefined
  let handed = 0
  do {
    const window = await db.asService((tx) =>
      listMessagesToEmbed(tx, { model, window: windowSize, ...(after ? { after } : {}) }),
    )
    for (const batch of byUser(window.messages)) {
      if (!(await goOn())) return handed
      await embed(batch[0]?.userId ?? '', batch)
      handed += batch.length
    }
    after = window.next ?? undefined
  } while (after && (await goOn()))
  return handed
}

/** Messages grouped by owner, in batches of at most `batchSize`. */
function byUser(messages: readonly MessageToEmbed[]): MessageToEmbed[][] {
  const groups = new Map<string, MessageToEmbed[]>()
  for (const message of messages) {
    const group = groups.get(message.userId) ?? []
    group.push(message)
    groups.set(message.userId, group)
  }
  return [...groups.values()].flatMap((group) => {
    const batches: MessageToEmbed[][] = []
    for (let i = 0; i < group.length; i += batchSize) batches.push(group.slice(i, i + batchSize))
    return batches
  })
}
