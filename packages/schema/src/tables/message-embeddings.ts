import { sql } from 'drizzle-orm'
import { check, index, pgPolicy, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { authenticatedRole } from 'drizzle-orm/supabase'
import { currentUserId, timestampMs } from './columns.ts'
import { unsizedVector } from './document-chunks.ts'
import { messages } from './messages.ts'

const own = sql`user_id = ${currentUserId}`

/**
 * The embedding of a user or assistant message, made in the background after its turn settled,
 * with the model that made it (search compares only vectors of the query's model). `embedding`
 * exists only where pgvector is installed, as for passages; writes go through
 * `public.store_message_embeddings`.
 */
export const messageEmbeddings = pgTable(
  'message_embeddings',
  {
    messageId: uuid('message_id')
      .primaryKey()
      .references(() => messages.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull().default(sql`auth.uid()`),
    model: text('model').notNull(),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
    embedding: unsizedVector('embedding'),
  },
  (t) => [
    index('message_embeddings_user_id_idx').on(t.userId),
    check('message_embeddings_model_length', sql`char_length(${t.model}) between 1 and 200`),
    pgPolicy('message_embeddings_select_own', { for: 'select', to: authenticatedRole, using: own }),
    pgPolicy('message_embeddings_insert_own', {
      for: 'insert',
      to: authenticatedRole,
      withCheck: sql`${own} and exists (select 1 from public.messages m where m.id = message_embeddings.message_id and m.user_id = message_embeddings.user_id)`,
    }),
    pgPolicy('message_embeddings_update_own', {
      for: 'update',
      to: authenticatedRole,
      using: own,
      withCheck: own,
    }),
    pgPolicy('message_embeddings_delete_own', { for: 'delete', to: authenticatedRole, using: own }),
  ],
).enableRLS()
