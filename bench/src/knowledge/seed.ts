import type { Database, OwnerSql } from '@parley/db'
import type { Corpus } from './corpus.ts'

export interface KnowledgeScale {
  /** Users besides the measured one (their rows are candidates RLS must remove). */
  otherUsers: number
  /** Passages of the measured user. */
  chunks: number
  /** Passages of each other user. */
  otherChunks: number
  chunksPerFile: number
  /** Messages over all users, spread evenly, `messagesPerConversation` to a conversation. */
  messages: number
  messagesPerConversation: number
  /** Embedding dimension of the seeded vectors (one with an HNSW index). */
  dimensions: number
}

export interface KnowledgeSeed {
  userId: string
  /** A few of the measured user's file ids, for scoped retrieval. */
  someFileIds: string[]
  seconds: number
}

/** The search indexes, dropped while seeding and built once afterwards (much faster in bulk). */
const bulkBuiltIndexes = [
  'document_chunks_search_vector_idx',
  'messages_search_idx',
  'conversations_title_search_idx',
  'document_chunks_embedding_384_idx',
  'document_chunks_embedding_768_idx',
]

/**
 * Seeds users, ready files with passages (random unit embeddings where pgvector exists) and
 * conversations with messages, in set-based statements as the owner, with triggers off (the
 * counters they keep are not measured), then rebuilds the search indexes, vacuums and analyzes.
 */
export async function seedKnowledge(
  db: Database,
  corpus: Corpus,
  scale: KnowledgeScale,
  vectors: boolean,
): Promise<KnowledgeSeed> {
  const start = performance.now()
  const userId = await db.asOwner(async (sql) => {
    await sql.query(
      `insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data)
       select gen_random_uuid(), 'authenticated', 'authenticated', 'knowledge-' || i || '@example.test', '{}', '{}'
       from generate_series(0, $1::int) i`,
      [scale.otherUsers],
    )
    const [user] = await sql.query<{ id: string }>(
      `select id from auth.users where email = 'knowledge-0@example.test'`,
    )
    if (!user) throw new Error('the measured user was not created')
    return user.id
  })
  const indexes = await db.asOwner(async (sql) => {
    const rows = await sql.query<{ indexdef: string }>(
      'select indexdef from pg_indexes where indexname = any ($1)',
      [bulkBuiltIndexes],
    )
    await sql.exec(`drop index if exists ${bulkBuiltIndexes.map((i) => `public.${i}`).join(', ')}`)
    return rows.map((row) => row.indexdef)
  })
  await db.asOwner(async (sql) => {
    await sql.exec('set local session_replication_role = replica')
    await loadCorpusTables(sql, corpus)
    await seedFiles(sql, userId, scale, vectors)
    await seedMessages(sql, scale)
  })
  await db.asOwner(async (sql) => {
    await sql.exec(`set local maintenance_work_mem = '512MB'`)
    for (const definition of indexes) await sql.exec(definition)
  })
  // As autovacuum would leave it (and so that it does not start during the measurements).
  await db.ownerStatement('vacuum analyze', [])
  const someFileIds = await db.asOwner(async (sql) =>
    (
      await sql.query<{ id: string }>(
        'select id from public.files where user_id = $1 order by id limit 5',
        [userId],
      )
    ).map((row) => row.id),
  )
  return { userId, someFileIds, seconds: (performance.now() - start) / 1000 }
}

async function loadCorpusTables(sql: OwnerSql, corpus: Corpus): Promise<void> {
  await sql.exec(`
    create temp table bench_passages (n int primary key, heading_path text[], content text) on commit drop;
    create temp table bench_sentences (n int primary key, content text) on commit drop;`)
  await sql.query(
    `insert into bench_passages
     select (row_number() over ()) - 1, x.heading_path, x.content
     from jsonb_to_recordset($1::jsonb) as x(heading_path text[], content text)`,
    [
      JSON.stringify(
        corpus.passages.map((p) => ({ heading_path: p.headingPath, content: p.content })),
      ),
    ],
  )
  await sql.query(
    `insert into bench_sentences
     select (row_number() over ()) - 1, s from unnest($1::text[]) s`,
    [corpus.sentences],
  )
}

async function seedFiles(
  sql: OwnerSql,
  userId: string,
  scale: KnowledgeScale,
  vectors: boolean,
): Promise<void> {
  // Files per user: the measured user's and the others' (sized by their chunk counts).
  await sql.query(
    `insert into public.files (user_id, name, kind, mime_type, size_bytes, sha256, storage_key, status, chunk_count, embedding_model)
     select u.id, 'doc-' || f || '.md', 'markdown', 'text/markdown', 20000,
       md5(u.id::text || f) || md5(f || u.id::text), 'bench/' || u.id || '/' || f,
       'ready', $2::int, case when $5 then 'bench-embed' end
     from auth.users u
     cross join lateral generate_series(
       1, case when u.id = $1 then $3::int else $4::int end / $2::int
     ) f
     where u.email like 'knowledge-%'`,
    [userId, scale.chunksPerFile, scale.chunks, scale.otherChunks, vectors],
  )
  const embedding = vectors
    ? `, extensions.l2_normalize(array(
         select random() - 0.5 + 0 * g.o from generate_series(1, ${scale.dimensions})
       )::extensions.vector)`
    : ''
  // Each passage is a real one with a revision note, so copies differ a little.
  await sql.query(
    `insert into public.document_chunks
       (file_id, user_id, ordinal, page, heading_path, content, token_count, embedding_model${vectors ? ', embedding' : ''})
     select f.id, f.user_id, g.o, null, p.heading_path,
       p.content || E'\\n\\nRevision ' || f.n || '.' || g.o, length(p.content) / 4,
       case when $2 then 'bench-embed' end ${embedding}
     from (
       select id, user_id, row_number() over (order by user_id, id) as n from public.files
     ) f
     cross join generate_series(0, $1::int - 1) g(o)
     join bench_passages p on p.n = (f.n * $1::int + g.o) % (select count(*) from bench_passages)`,
    [scale.chunksPerFile, vectors],
  )
}

async function seedMessages(sql: OwnerSql, scale: KnowledgeScale): Promise<void> {
  const users = scale.otherUsers + 1
  const conversationsPerUser = Math.ceil(scale.messages / users / scale.messagesPerConversation)
  await sql.query(
    `insert into public.conversations (user_id, title, last_message_at)
     select u.id, left(coalesce(p.heading_path[array_length(p.heading_path, 1)], 'Notes'), 200),
       now() - make_interval(secs => c * 60)
     from auth.users u
     cross join generate_series(1, $1::int) c
     join bench_passages p on p.n = c % (select count(*) from bench_passages)
     where u.email like 'knowledge-%'`,
    [conversationsPerUser],
  )
  await sql.query(
    `insert into public.messages (conversation_id, user_id, role, content, status, token_count)
     select c.id, c.user_id, case when g % 2 = 1 then 'user' else 'assistant' end,
       s1.content || ' ' || s2.content, 'complete', 60
     from (select id, user_id, row_number() over (order by id) as n from public.conversations
           where user_id in (select id from auth.users where email like 'knowledge-%')) c
     cross join generate_series(1, $1::int) g
     join bench_sentences s1 on s1.n = (c.n * 7919 + g) % (select count(*) from bench_sentences)
     join bench_sentences s2 on s2.n = (c.n * 104729 + g * 31) % (select count(*) from bench_sentences)`,
    [scale.messagesPerConversation],
  )
}
