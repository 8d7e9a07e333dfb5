import { embedding, uuid } from '@parley/schema/contracts'
import { sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Tx } from '../client.ts'
import { parseInput } from '../errors.ts'
import { executedRows } from '../json-row.ts'

/** What of a message is embedded: its start says what it is about, and the cost stays bounded. */
export const embeddedMessageChars = 2_000

const embeddingModel = z.string().min(1).max(200)

const storeInput = z.strictObject({
  model: embeddingModel,
  items: z
    .array(z.strictObject({ messageId: uuid, embedding }))
    .min(1)
    .max(1000),
})
export type StoreMessageEmbeddingsInput = z.input<typeof storeInput>

/**
 * Stores embeddings of the caller's messages (replacing those of another model), under their
 * row-level security: another user's message, or one deleted since, is skipped. Returns how many
 * were stored; 0 where the database cannot keep vectors (no pgvector).
 */
export async function storeMessageEmbeddings(
  tx: Tx,
  input: StoreMessageEmbeddingsInput,
): Promise<number> {
  const { model, items } = parseInput(storeInput, input)
  const [row] = executedRows<{ stored: number }>(
    await tx.execute(
      sql`select public.store_message_embeddings(${model}::text, ${JSON.stringify(items)}::jsonb) as stored`,
    ),
  )
  return Number(row?.stored ?? 0)
}

const sweepInput = z.strictObject({
  model: embeddingModel,
  /** The last message id of the previous window (omitted: from the start). */
  after: uuid.optional(),
  /** Messages looked at, embedded or not. */
  window: z.number().int().min(1).max(5000).default(500),
})
export type MessagesToEmbedInput = z.input<typeof sweepInput>

export interface MessageToEmbed {
  messageId: string
  userId: string
  /** The message's first `embeddedMessageChars` characters. */
  text: string
}

export interface MessagesToEmbed {
  messages: MessageToEmbed[]
  /** Where the next window starts; null once the last message was looked at. */
  next: string | null
}

interface SweepRow {
  id: string
  user_id: string
  text: string | null
}

/**
 * One window of every user's messages, in id order, and those of it without an embedding of
 * `model` (user and assistant messages with text, not being written): the work of a bounded
 * catch-up sweep. Each call reads at most `window` rows by the primary key, so the sweep's cost
 * per step stays the same however many messages there are. Runs as the service (every user).
 */
export async function listMessagesToEmbed(
  tx: Tx,
  input: MessagesToEmbedInput,
): Promise<MessagesToEmbed> {
  const { model, after, window } = parseInput(sweepInput, input)
  const rows = executedRows<SweepRow>(
    await tx.execute(sql`
      with scanned as (
        select m.id, m.user_id, m.role, m.status, m.content
        from public.messages m
        where ${after ?? null}::uuid is null or m.id > ${after ?? null}::uuid
        order by m.id
        limit ${window}::integer
      )
      select s.id, s.user_id,
        case when s.role in ('user', 'assistant')
          and s.status <> 'streaming'
          and btrim(s.content) <> ''
          and not exists (
            select 1 from public.message_embeddings e
            where e.message_id = s.id and e.model = ${model}::text
          )
        then left(s.content, ${embeddedMessageChars}::integer) end as text
      from scanned s
      order by s.id`),
  )
  const messages = rows.flatMap((row) =>
    row.text === null ? [] : [{ messageId: row.id, userId: row.user_id, text: row.text }],
  )
  return { messages, next: rows.length < window ? null : (rows.at(-1)?.id ?? null) }
}
