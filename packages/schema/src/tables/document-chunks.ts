import { sql } from 'drizzle-orm'
import {
  check,
  customType,
  foreignKey,
  index,
  integer,
  pgPolicy,
  pgTable,
  text,
  unique,
  uuid,
} from 'drizzle-orm/pg-core'
import { authenticatedRole } from 'drizzle-orm/supabase'
import { currentUserId } from './columns.ts'
import { files } from './files.ts'

const own = sql`user_id = ${currentUserId}`

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })

/** pgvector's `vector` without a fixed dimension (the embedding model decides it). */
export const unsizedVector = customType<{ data: number[]; driverData: string }>({
  dataType: () => 'extensions.vector',
  toDriver: (value) => JSON.stringify(value),
  fromDriver: (value) => JSON.parse(value) as number[],
})

/**
 * A passage of a file (~512 tokens), written once by the file's ingest. `searchVector` is
 * generated from the heading path (weight A) and the text. `embedding` exists only where
 * pgvector is installed (the migration adds it conditionally, with one partial HNSW cosine
 * index per common dimension), so queries name the columns they read.
 */
export const documentChunks = pgTable(
  'document_chunks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    fileId: uuid('file_id').notNull(),
    userId: uuid('user_id').notNull().default(sql`auth.uid()`),
    ordinal: integer('ordinal').notNull(),
    /** 1-based page for paged documents (PDF). */
    page: integer('page'),
    /** Headings above the passage, outermost first. */
    headingPath: text('heading_path').array().notNull().default(sql`'{}'`),
    content: text('content').notNull(),
    tokenCount: integer('token_count').notNull(),
    searchVector: tsvector('search_vector').generatedAlwaysAs(
      sql`public.chunk_search_vector(heading_path, content)`,
    ),
    embeddingModel: text('embedding_model'),
    embedding: unsizedVector('embedding'),
  },
  (t) => [
    foreignKey({
      name: 'document_chunks_file_owner_fkey',
      columns: [t.fileId, t.userId],
      foreignColumns: [files.id, files.userId],
    }).onDelete('cascade'),
    unique('document_chunks_file_id_ordinal_key').on(t.fileId, t.ordinal),
    index('document_chunks_search_vector_idx').using('gin', t.searchVector),
    index('document_chunks_user_id_idx').on(t.userId),
    check('document_chunks_ordinal_non_negative', sql`${t.ordinal} >= 0`),
    check('document_chunks_page_positive', sql`${t.page} >= 1`),
    check('document_chunks_heading_path_size', sql`cardinality(${t.headingPath}) <= 16`),
    check('document_chunks_content_length', sql`char_length(${t.content}) between 1 and 20000`),
    check('document_chunks_token_count_non_negative', sql`${t.tokenCount} >= 0`),
    check('document_chunks_embedding_model_length', sql`char_length(${t.embeddingModel}) <= 200`),
    pgPolicy('document_chunks_select_own', { for: 'select', to: authenticatedRole, using: own }),
    pgPolicy('document_chunks_insert_own', {
      for: 'insert',
      to: authenticatedRole,
      withCheck: own,
    }),
    pgPolicy('document_chunks_delete_own', { for: 'delete', to: authenticatedRole, using: own }),
  ],
).enableRLS()
