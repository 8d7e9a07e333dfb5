import { type Database, listMessagesToEmbed, type MessageToEmbed } from '@parley/db'

/** Messages looked at per step of a catch-up pass (by primary key: cheap, bounded). */
const windowSize = 500

/** Messages of one user per embeddings call. */
const batchSize = 32

/**
 * One catch-up pass over every user's messages, a window at a time: the messages without an
 * embedding of `model` (written while semantic search was off, by another model, or whose
 * embedding failed) are handed to `embed`, one user's batch at a time. Stops at the first
 * failure (the endpoint is likely down; the next pass goes on) or when `stopped` says so.
 * Returns how many messages were handed over.
 */
export async function catchUp(
  db: Database,
  model: string,
  embed: (userId: string, messages: MessageToEmbed[]) => Promise<void>,
  stopped: () => boolean,
): Promise<number> {
  let after: string | undefined
  let handed = 0
  do {
    const window = await db.asService((tx) =>
      listMessagesToEmbed(tx, { model, window: windowSize, ...(after ? { after } : {}) }),
    )
    for (const batch of byUser(window.messages)) {
      if (stopped()) return handed
      await embed(batch[0]?.userId ?? '', batch)
      handed += batch.length
    }
    after = window.next ?? undefined
  } while (after && !stopped())
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
