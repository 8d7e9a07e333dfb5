import { sql } from 'drizzle-orm'
import {
  bigint,
  check,
  index,
  integer,
  pgPolicy,
  pgTable,
  text,
  unique,
  uuid,
} from 'drizzle-orm/pg-core'
import { authenticatedRole, authUsers } from 'drizzle-orm/supabase'
import { fileKinds, fileStatuses } from '../contracts/knowledge.ts'
import { currentUserId, timestampMs, timestamps } from './columns.ts'
import { parleyPrivate } from './rate-limits.ts'

const own = sql`user_id = ${currentUserId}`

/**
 * An uploaded document: its original lives under `storageKey` (data folder or bucket), its
 * passages in `document_chunks`. Private to its owner (admins do not read others' files).
 */
export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .default(sql`auth.uid()`)
      .references(() => authUsers.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    kind: text('kind', { enum: fileKinds }).notNull(),
    mimeType: text('mime_type').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull(),
    status: text('status', { enum: fileStatuses }).notNull().default('processing'),
    /** Why processing failed, in words a person understands. */
    error: text('error'),
    pageCount: integer('page_count'),
    chunkCount: integer('chunk_count').notNull().default(0),
    /** The model its passages were embedded with; null: found by keyword only. */
    embeddingModel: text('embedding_model'),
    /** Processing runs started (claims); a file whose reading keeps stopping is given up after a few. */
    attempts: integer('attempts').notNull().default(0),
    /** The server instance reading it now; null while nobody does. */
    ingestOwner: uuid('ingest_owner'),
    /** Until when that claim holds unless renewed; another instance may take the file after it. */
    ingestLeaseUntil: timestampMs('ingest_lease_until'),
    ...timestamps,
  },
  (t) => [
    // Target of document_chunks' composite foreign key: a passage's owner is its file's owner.
    unique('files_id_user_id_key').on(t.id, t.userId),
    index('files_user_id_created_at_idx').on(t.userId, t.createdAt.desc(), t.id.desc()),
    index('files_processing_idx').on(t.createdAt).where(sql`${t.status} = 'processing'`),
    check('files_name_length', sql`char_length(${t.name}) between 1 and 255`),
    check('files_kind_valid', sql`${t.kind} in ('pdf', 'docx', 'markdown', 'text', 'html', 'csv')`),
    check('files_mime_type_length', sql`char_length(${t.mimeType}) between 1 and 255`),
    check('files_size_non_negative', sql`${t.sizeBytes} >= 0`),
    check('files_sha256_format', sql`${t.sha256} ~ '^[0-9a-f]{64}$'`),
    check('files_storage_key_length', sql`char_length(${t.storageKey}) between 1 and 1024`),
    check('files_status_valid', sql`${t.status} in ('processing', 'ready', 'failed')`),
    check('files_error_length', sql`char_length(${t.error}) <= 1000`),
    check('files_failed_has_reason', sql`${t.status} <> 'failed' or ${t.error} is not null`),
    check(
      'files_counts_non_negative',
      sql`coalesce(${t.pageCount}, 0) >= 0 and ${t.chunkCount} >= 0 and ${t.attempts} >= 0`,
    ),
    check(
      'files_ingest_lease_with_owner',
      sql`(${t.ingestOwner} is null) = (${t.ingestLeaseUntil} is null)`,
    ),
    check('files_embedding_model_length', sql`char_length(${t.embeddingModel}) <= 200`),
    pgPolicy('files_select_own', { for: 'select', to: authenticatedRole, using: own }),
    pgPolicy('files_insert_own', { for: 'insert', to: authenticatedRole, withCheck: own }),
    pgPolicy('files_update_own', {
      for: 'update',
      to: authenticatedRole,
      using: own,
      withCheck: own,
    }),
    pgPolicy('files_delete_own', { for: 'delete', to: authenticatedRole, using: own }),
  ],
).enableRLS()

/**
 * Originals still to remove from storage: a trigger notes the key of every deleted `files` row in
 * the same transaction, and the server removes the original and then the note (a removal that
 * fails is tried again later). Out of reach of every API role; see the migration
 * `20261208830000_original_deletions.sql`.
 */
export const originalDeletions = parleyPrivate.table(
  'original_deletions',
  {
    storageKey: text('storage_key').primaryKey(),
    ownerId: uuid('owner_id').notNull(),
    notedAt: timestampMs('noted_at').notNull().defaultNow(),
  },
  (t) => [
    index('original_deletions_owner_idx').on(t.ownerId),
    index('original_deletions_noted_at_idx').on(t.notedAt),
  ],
)
