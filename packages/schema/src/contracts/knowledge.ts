import { z } from 'zod'
import { cursor, isoDateTime, pageLimit, uuid } from './common.ts'

/** The kinds of document Parley reads; the kind is detected from the bytes, never from the name. */
export const fileKinds = ['pdf', 'docx', 'markdown', 'text', 'html', 'csv'] as const
export type FileKind = (typeof fileKinds)[number]

export const fileStatuses = ['processing', 'ready', 'failed'] as const
export type FileStatus = (typeof fileStatuses)[number]

/** `POST /files` answers `202` with this; `GET /files/:id` adds what processing found. */
export const uploadedFile = z.object({
  id: uuid,
  /** The name the user gave, cleaned of path separators and control characters. */
  name: z.string(),
  /** The detected type (`application/pdf`, `text/markdown`, ...). */
  mimeType: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  status: z.enum(fileStatuses),
})
export type UploadedFile = z.infer<typeof uploadedFile>

export const fileResource = uploadedFile.extend({
  kind: z.enum(fileKinds),
  /** Why processing failed, in words a person understands; null unless `failed`. */
  error: z.string().nullable(),
  /** Pages for a PDF; null for kinds without pages or before processing ends. */
  pageCount: z.number().int().nonnegative().nullable(),
  chunkCount: z.number().int().nonnegative(),
  /** Whether its passages carry embeddings (semantic search); false when none is configured. */
  embedded: z.boolean(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
})
export type FileResource = z.infer<typeof fileResource>

export const filePage = z.object({ items: z.array(fileResource), nextCursor: cursor.nullable() })
export type FilePage = z.infer<typeof filePage>

/** `GET /files/capabilities`: what this server does with files, for the web app to say plainly. */
export const fileCapabilities = z.object({
  maxUploadBytes: z.number().int().positive(),
  kinds: z.array(z.enum(fileKinds)),
  /** False when no embeddings endpoint is configured: files and messages are found by keyword only. */
  semanticSearch: z.boolean(),
  /** The embedding model in use, when semantic search is on. */
  embeddingModel: z.string().nullable(),
})
export type FileCapabilities = z.infer<typeof fileCapabilities>

/** A passage of a file that a reply cites as `[n]` (n = `index`). */
export const citation = z.object({
  index: z.number().int().positive(),
  chunkId: uuid,
  fileId: uuid,
  fileName: z.string(),
  /** 1-based page for paged documents; null otherwise. */
  page: z.number().int().positive().nullable(),
  /** Headings above the passage, outermost first. */
  headingPath: z.array(z.string()),
  /** The passage's text as the model read it (trimmed to a readable length). */
  snippet: z.string(),
})
export type Citation = z.infer<typeof citation>

/**
 * Which files a conversation's turns read from: none, some of the user's files, or all of them.
 * `PUT /conversations/:id/files` sets it; the conversation carries it as `fileScope`.
 */
export const fileScope = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('none') }),
  z.strictObject({ mode: z.literal('files'), fileIds: z.array(uuid).min(1).max(100) }),
  z.strictObject({ mode: z.literal('all') }),
])
export type FileScope = z.infer<typeof fileScope>

export const searchScopes = ['messages', 'files', 'all'] as const
export type SearchScope = (typeof searchScopes)[number]

/** `GET /search?q=&scope=&cursor=&limit=` */
export const searchQuery = z.strictObject({
  q: z.string().trim().min(1).max(500),
  scope: z.enum(searchScopes).default('all'),
  limit: pageLimit.default(20),
  cursor: cursor.optional(),
})
export type SearchQuery = z.input<typeof searchQuery>

/**
 * A highlighted snippet as plain segments: the web app renders `match` segments as marks, with no
 * HTML ever crossing the wire.
 */
export const snippet = z.array(z.object({ text: z.string(), match: z.boolean() }))
export type Snippet = z.infer<typeof snippet>

export const searchHit = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('message'),
    conversationId: uuid,
    conversationTitle: z.string().nullable(),
    messageId: uuid,
    role: z.enum(['user', 'assistant']),
    snippet,
    createdAt: isoDateTime,
    score: z.number(),
  }),
  z.object({
    kind: z.literal('conversation'),
    conversationId: uuid,
    conversationTitle: z.string().nullable(),
    snippet,
    createdAt: isoDateTime,
    score: z.number(),
  }),
  z.object({
    kind: z.literal('file'),
    fileId: uuid,
    fileName: z.string(),
    chunkId: uuid,
    page: z.number().int().positive().nullable(),
    headingPath: z.array(z.string()),
    snippet,
    createdAt: isoDateTime,
    score: z.number(),
  }),
])
export type SearchHit = z.infer<typeof searchHit>

export const searchResults = z.object({
  items: z.array(searchHit),
  nextCursor: cursor.nullable(),
  /** False when no embeddings endpoint is configured: results are keyword matches only. */
  semantic: z.boolean(),
})
export type SearchResults = z.infer<typeof searchResults>

/** A stored upload as the API records it (repositories validate with this before any SQL). */
export const newFile = z.strictObject({
  id: uuid.optional(),
  name: z.string().min(1).max(255),
  kind: z.enum(fileKinds),
  mimeType: z.string().min(1).max(255),
  sizeBytes: z.number().int().nonnegative(),
  /** Hex SHA-256 of the original bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Where the original lives (a path under the data folder or a bucket key). */
  storageKey: z.string().min(1).max(1024),
})
export type NewFile = z.input<typeof newFile>

/** The most dimensions an embedding may have (pgvector's limit for its `vector` type). */
export const maxEmbeddingDimensions = 16_000

export const embedding = z.array(z.number()).min(1).max(maxEmbeddingDimensions)

/** One passage of a parsed file, in document order. */
export const ingestedChunk = z.strictObject({
  /** 1-based page for paged documents; null otherwise. */
  page: z.number().int().positive().nullable().default(null),
  /** Headings above the passage, outermost first. */
  headingPath: z.array(z.string().max(500)).max(16).default([]),
  content: z.string().min(1).max(20_000),
  tokenCount: z.number().int().nonnegative(),
  embedding: embedding.optional(),
})
export type IngestedChunk = z.input<typeof ingestedChunk>

/** What parsing and embedding a file produced; all of it is stored at once, or nothing. */
export const fileIngest = z
  .strictObject({
    pageCount: z.number().int().nonnegative().nullable().default(null),
    chunks: z.array(ingestedChunk).max(100_000),
    /** The model the chunks' embeddings come from; null: keyword only (no embeddings). */
    embeddingModel: z.string().min(1).max(200).nullable().default(null),
  })
  .refine(
    (ingest) =>
      ingest.chunks.every((chunk) => (chunk.embedding !== undefined) === !!ingest.embeddingModel),
    { message: 'every chunk has an embedding exactly when an embedding model is named' },
  )
  .refine((ingest) => new Set(ingest.chunks.map((chunk) => chunk.embedding?.length)).size <= 1, {
    message: 'all embeddings of a file have the same dimension',
  })
export type FileIngest = z.input<typeof fileIngest>
