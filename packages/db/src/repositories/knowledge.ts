import {
  embedding,
  type SearchHit,
  type SearchResults,
  type SearchScope,
  type Snippet,
  searchQuery,
  uuid,
} from '@parley/schema/contracts'
import { sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Tx } from '../client.ts'
import { decodeCursor, encodeCursor } from '../cursor.ts'
import { parseInput } from '../errors.ts'
import { executedRows } from '../json-row.ts'
import { arrayParam } from '../sql-array.ts'

/** Whether this database can store and compare passages' embeddings (their column exists). */
export async function vectorSearchAvailable(tx: Tx): Promise<boolean> {
  const [row] = executedRows<{ available: boolean }>(
    await tx.execute(
      sql`select public.has_embedding_column('public.document_chunks') as available`,
    ),
  )
  return row?.available === true
}

const semanticInput = {
  /** The query's embedding (omitted: keyword only); only vectors of the same model are compared. */
  embedding: embedding.optional(),
  /** The model of `embedding`: only passages and messages embedded by it are compared. */
  embeddingModel: z.string().min(1).max(200).optional(),
}

const retrieveInput = z.strictObject({
  query: z.string().max(10_000),
  ...semanticInput,
  /** Only these files (omitted: all of the caller's ready files). */
  fileIds: z.array(uuid).max(1000).optional(),
  limit: z.number().int().min(1).max(100).default(8),
})
export type RetrieveInput = z.input<typeof retrieveInput>

export interface RetrievedChunk {
  chunkId: string
  fileId: string
  fileName: string
  page: number | null
  headingPath: string[]
  content: string
  /** The passage's best-matching stretch, verbatim. */
  snippet: string
  /** 1-based position among keyword matches; null when it matched only by meaning. */
  keywordRank: number | null
  /** 1-based position among the nearest embeddings; null when not among them. */
  vectorRank: number | null
  /** Reciprocal-rank fusion score (k = 60): higher is better. */
  score: number
}

interface RetrievedRow {
  chunk_id: string
  file_id: string
  file_name: string
  page: number | null
  heading_path: string[]
  content: string
  snippet: string
  keyword_rank: number | null
  vector_rank: number | null
  score: number
}

/**
 * The caller's passages that best answer `query`, from their ready files (or `fileIds`), by
 * keyword and, with an embedding, by meaning (`public.retrieve_chunks`). Runs under the caller's
 * row-level security, so other users' passages are never candidates.
 */
export async function retrieveChunks(tx: Tx, input: RetrieveInput): Promise<RetrievedChunk[]> {
  const {
    query,
    embedding: vector,
    embeddingModel,
    fileIds,
    limit,
  } = parseInput(retrieveInput, input)
  if (fileIds?.length === 0) return []
  const rows = executedRows<RetrievedRow>(
    await tx.execute(sql`
      select * from public.retrieve_chunks(
        ${query}::text,
        ${vector ? arrayParam(vector, 'real[]') : sql`null::real[]`},
        ${embeddingModel ?? null}::text,
        ${fileIds ? arrayParam(fileIds, 'uuid[]') : sql`null::uuid[]`},
        ${limit}::integer
      )`),
  )
  return rows.map((row) => ({
    chunkId: row.chunk_id,
    fileId: row.file_id,
    fileName: row.file_name,
    page: row.page,
    headingPath: row.heading_path,
    content: row.content,
    snippet: row.snippet,
    keywordRank: row.keyword_rank,
    vectorRank: row.vector_rank,
    score: Number(row.score),
  }))
}

const searchInput = searchQuery.extend(semanticInput)
export type SearchInput = z.input<typeof searchInput>

const searchCursor = z.tuple([z.number(), z.uuid()])

interface SearchRow {
  kind: SearchHit['kind']
  id: string
  conversation_id: string | null
  conversation_title: string | null
  message_id: string | null
  role: 'user' | 'assistant' | null
  file_id: string | null
  file_name: string | null
  chunk_id: string | null
  page: number | null
  heading_path: string[] | null
  snippet: string
  created_at: Date | string
  score: number
}

/**
 * Searches the caller's conversation titles, messages (user and assistant, not while being
 * written) and file passages (`public.search_knowledge`), best first, a page at a time.
 * `semantic` says whether messages and passages were also matched by meaning (with an embedding,
 * where the database keeps vectors).
 */
export async function search(tx: Tx, input: SearchInput): Promise<SearchResults> {
  const {
    q,
    scope,
    limit,
    cursor,
    embedding: vector,
    embeddingModel,
  } = parseInput(searchInput, input)
  const after = cursor ? decodeCursor(cursor, searchCursor) : undefined
  const semantic = vector !== undefined && (await vectorSearchAvailable(tx))
  const rows = executedRows<SearchRow>(
    await tx.execute(sql`
      select * from public.search_knowledge(
        ${q}::text,
        ${scope satisfies SearchScope}::text,
        ${semantic && vector ? arrayParam(vector, 'real[]') : sql`null::real[]`},
        ${embeddingModel ?? null}::text,
        ${after?.[0] ?? null}::double precision,
        ${after?.[1] ?? null}::uuid,
        ${limit + 1}::integer
      )`),
  )
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return {
    items: items.map(toSearchHit),
    nextCursor: rows.length > limit && last ? encodeCursor([Number(last.score), last.id]) : null,
    semantic,
  }
}

/** A column the kind of hit always carries (the SQL joins it); its absence is a bug. */
function present<T>(value: T | null, column: string): T {
  if (value === null) throw new Error(`search_knowledge returned a hit without ${column}`)
  return value
}

function toSearchHit(row: SearchRow): SearchHit {
  const common = {
    snippet: splitSnippet(row.snippet),
    createdAt: new Date(row.created_at).toISOString(),
    score: Number(row.score),
  }
  if (row.kind === 'file') {
    return {
      kind: 'file',
      fileId: present(row.file_id, 'file_id'),
      fileName: present(row.file_name, 'file_name'),
      chunkId: row.id,
      page: row.page,
      headingPath: present(row.heading_path, 'heading_path'),
      ...common,
    }
  }
  const conversation = {
    conversationId: present(row.conversation_id, 'conversation_id'),
    conversationTitle: row.conversation_title,
  }
  if (row.kind === 'message') {
    return {
      kind: 'message',
      ...conversation,
      messageId: row.id,
      role: present(row.role, 'role'),
      ...common,
    }
  }
  return { kind: 'conversation', ...conversation, ...common }
}

const matchStart = '\uE000'
const matchEnd = '\uE001'

/** Splits a headline whose matches sit between U+E000 and U+E001 into plain segments. */
export function splitSnippet(headline: string): Snippet {
  const segments: Snippet = []
  const push = (text: string, match: boolean) => {
    if (!text) return
    const previous = segments.at(-1)
    if (previous && previous.match === match) previous.text += text
    else segments.push({ text, match })
  }
  for (const [index, part] of headline.split(matchStart).entries()) {
    if (index === 0) {
      push(part.replaceAll(matchEnd, ''), false)
      continue
    }
    const end = part.indexOf(matchEnd)
    if (end === -1) {
      push(part, true)
      continue
    }
    push(part.slice(0, end), true)
    push(part.slice(end + 1).replaceAll(matchEnd, ''), false)
  }
  return segments
}
