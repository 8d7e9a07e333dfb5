-- Documents and search: uploaded files, their passages (chunks) with a keyword index and, where
-- pgvector is installed, embeddings; citations on replies; the files a conversation reads from;
-- and full-text indexes over messages and conversation titles.
--
-- Retrieval is one SQL function running as the caller (security invoker): row-level security
-- removes other users' chunks before any top-k is taken, so a user always gets a full top-k of
-- their own passages and never a candidate of someone else's.
--
-- pgvector is optional. Without it the `embedding` column, its indexes and the vector side of
-- retrieval are absent, and everything else (files, keyword retrieval, search) works the same.
-- The functions take query embeddings as `real[]`, so their signatures are the same either way.
create table public.files (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  name text not null,
  kind text not null,
  mime_type text not null,
  size_bytes bigint not null,
  sha256 text not null,
  storage_key text not null,
  status text not null default 'processing',
  error text,
  page_count integer,
  chunk_count integer not null default 0,
  embedding_model text,
  attempts integer not null default 0,
  created_at timestamp (3) with time zone not null default now(),
  updated_at timestamp (3) with time zone not null default now(),
  constraint files_id_user_id_key unique (id, user_id),
  constraint files_name_length check (char_length(name) between 1 and 255),
  constraint files_kind_valid check (kind in ('pdf', 'docx', 'markdown', 'text', 'html', 'csv')),
  constraint files_mime_type_length check (char_length(mime_type) between 1 and 255),
  constraint files_size_non_negative check (size_bytes >= 0),
  constraint files_sha256_format check (sha256 ~ '^[0-9a-f]{64}$'),
  constraint files_storage_key_length check (char_length(storage_key) between 1 and 1024),
  constraint files_status_valid check (status in ('processing', 'ready', 'failed')),
  constraint files_error_length check (char_length(error) <= 1000),
  constraint files_failed_has_reason check (status <> 'failed' or error is not null),
  constraint files_counts_non_negative check (
    coalesce(page_count, 0) >= 0 and chunk_count >= 0 and attempts >= 0
  ),
  constraint files_embedding_model_length check (char_length(embedding_model) <= 200)
);
--> statement-breakpoint
create index files_user_id_created_at_idx on public.files (user_id, created_at desc, id desc);
--> statement-breakpoint
create index files_processing_idx on public.files (created_at) where status = 'processing';
--> statement-breakpoint
alter table public.files enable row level security;
--> statement-breakpoint
-- Own rows only: files are private, and admins do not read other users' documents.
create policy files_select_own on public.files
  for select to authenticated using (user_id = (select auth.uid()));
--> statement-breakpoint
create policy files_insert_own on public.files
  for insert to authenticated with check (user_id = (select auth.uid()));
--> statement-breakpoint
create policy files_update_own on public.files
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
--> statement-breakpoint
create policy files_delete_own on public.files
  for delete to authenticated using (user_id = (select auth.uid()));
--> statement-breakpoint
revoke all on table public.files from anon, authenticated;
--> statement-breakpoint
grant select, insert, delete on table public.files to authenticated;
--> statement-breakpoint
grant update (status, error, page_count, chunk_count, embedding_model, attempts)
  on table public.files to authenticated;
--> statement-breakpoint
grant all on table public.files to service_role;
--> statement-breakpoint
create or replace trigger files_set_updated_at before update on public.files
  for each row execute function public.set_updated_at();
--> statement-breakpoint
-- The weighted keyword vector of a passage: its headings (weight A) and its text (weight D).
-- A function because array_to_string is only stable in general (it is immutable for text[]).
create or replace function public.chunk_search_vector(heading_path text[], content text)
returns tsvector
language sql
immutable
parallel safe
set search_path = ''
as $$
  select setweight(to_tsvector('english'::regconfig, array_to_string(heading_path, ' ')), 'A')
    || to_tsvector('english'::regconfig, content)
$$;
--> statement-breakpoint
create table public.document_chunks (
  id uuid primary key default gen_random_uuid(),
  file_id uuid not null,
  user_id uuid not null default auth.uid(),
  ordinal integer not null,
  page integer,
  heading_path text[] not null default '{}',
  content text not null,
  token_count integer not null,
  search_vector tsvector generated always as (public.chunk_search_vector(heading_path, content)) stored,
  embedding_model text,
  -- A passage belongs to its file's owner: the pair must exist in files.
  constraint document_chunks_file_owner_fkey foreign key (file_id, user_id)
    references public.files (id, user_id) on delete cascade,
  constraint document_chunks_file_id_ordinal_key unique (file_id, ordinal),
  constraint document_chunks_ordinal_non_negative check (ordinal >= 0),
  constraint document_chunks_page_positive check (page >= 1),
  constraint document_chunks_heading_path_size check (cardinality(heading_path) <= 16),
  constraint document_chunks_content_length check (char_length(content) between 1 and 20000),
  constraint document_chunks_token_count_non_negative check (token_count >= 0),
  constraint document_chunks_embedding_model_length check (char_length(embedding_model) <= 200)
);
--> statement-breakpoint
create index document_chunks_search_vector_idx on public.document_chunks using gin (search_vector);
--> statement-breakpoint
create index document_chunks_user_id_idx on public.document_chunks (user_id);
--> statement-breakpoint
alter table public.document_chunks enable row level security;
--> statement-breakpoint
create policy document_chunks_select_own on public.document_chunks
  for select to authenticated using (user_id = (select auth.uid()));
--> statement-breakpoint
create policy document_chunks_insert_own on public.document_chunks
  for insert to authenticated with check (user_id = (select auth.uid()));
--> statement-breakpoint
create policy document_chunks_delete_own on public.document_chunks
  for delete to authenticated using (user_id = (select auth.uid()));
--> statement-breakpoint
-- Passages are written once, with their file's ingest, and never edited.
revoke all on table public.document_chunks from anon, authenticated;
--> statement-breakpoint
grant select, insert, delete on table public.document_chunks to authenticated;
--> statement-breakpoint
grant all on table public.document_chunks to service_role;
--> statement-breakpoint
-- Embeddings, only where pgvector is installed. HNSW needs a fixed dimension, but the embedding
-- model (and so the dimension) is the operator's choice and may change: the column is an
-- unsized vector and there is one partial expression index per common dimension (384: small
-- local models, 768: nomic/bge-base, 1024: bge-large/mxbai/voyage, 1536: OpenAI text-embedding-3
-- -small and ada-002). The vector search casts to the query's dimension with the same predicate,
-- so the planner picks the matching index; other dimensions (for example 3072) are scanned
-- exactly. Each chunk records its model, and only chunks of the query's model are compared.
do $$
declare
  dims integer;
begin
  if not exists (select 1 from pg_extension where extname = 'vector') then
    return;
  end if;
  alter table public.document_chunks add column if not exists embedding extensions.vector;
  alter table public.document_chunks drop constraint if exists document_chunks_embedding_with_model;
  alter table public.document_chunks add constraint document_chunks_embedding_with_model
    check ((embedding is null) = (embedding_model is null));
  foreach dims in array array[384, 768, 1024, 1536] loop
    execute format(
      'create index if not exists document_chunks_embedding_%1$s_idx on public.document_chunks
         using hnsw ((embedding::extensions.vector(%1$s)) extensions.vector_cosine_ops)
         where extensions.vector_dims(embedding) = %1$s',
      dims
    );
  end loop;
end
$$;
--> statement-breakpoint
-- Citations of a reply (`[n]` markers) and the files a conversation's turns read from.
alter table public.messages add column citations jsonb not null default '[]';
--> statement-breakpoint
alter table public.messages add constraint messages_citations_array
  check (jsonb_typeof(citations) = 'array' and jsonb_array_length(citations) <= 50);
--> statement-breakpoint
grant update (citations) on table public.messages to authenticated;
--> statement-breakpoint
alter table public.conversations add column file_scope jsonb not null default '{"mode":"none"}';
--> statement-breakpoint
alter table public.conversations add constraint conversations_file_scope_valid
  check (file_scope ->> 'mode' in ('none', 'files', 'all'));
--> statement-breakpoint
grant update (file_scope) on table public.conversations to authenticated;
--> statement-breakpoint
-- Search over messages and titles. The message index leaves out replies being written: their
-- progress is saved about once a second, and those writes must not re-tokenise the text each
-- time (Postgres skips a partial index's expression when the row is outside its predicate).
-- Search uses the same expression and predicate. The first 100,000 characters are indexed, so
-- a very long message can never overflow a tsvector.
create index messages_search_idx on public.messages
  using gin (to_tsvector('english'::regconfig, left(content, 100000)))
  where status <> 'streaming';
--> statement-breakpoint
create index conversations_title_search_idx on public.conversations
  using gin (to_tsvector('english'::regconfig, coalesce(title, '')))
  where title is not null;
--> statement-breakpoint
-- Quotas: files count against the stored bytes of the quotas migration, and their number has
-- its own limit (`files` in `parley.quotas`, default 1,000).
alter table public.profiles add column file_count integer default 0 not null;
--> statement-breakpoint
create or replace function public.quota_limit(quota text)
returns bigint
language sql
stable
set search_path = ''
as $$
  select coalesce(
    (nullif(current_setting('parley.quotas', true), '')::jsonb ->> quota)::bigint,
    case quota
      when 'conversations' then 10000
      when 'messagesPerConversation' then 5000
      when 'files' then 1000
      else 500 * 1048576
    end
  )
$$;
--> statement-breakpoint
create or replace function public.count_file()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  counted integer;
  max_files bigint;
begin
  if tg_op = 'INSERT' then
    max_files := public.quota_limit('files');
    update public.profiles p set file_count = p.file_count + 1
    where p.id = new.user_id
    returning p.file_count into counted;
    if counted > max_files then
      perform public.raise_quota_exceeded('files', max_files, counted - 1);
    end if;
    perform public.charge_profile(new.user_id, 0, new.size_bytes, true);
    return new;
  end if;
  update public.profiles p set file_count = p.file_count - 1 where p.id = old.user_id;
  perform public.charge_profile(old.user_id, 0, -old.size_bytes, false);
  return old;
end
$$;
--> statement-breakpoint
revoke all on function public.count_file() from public, anon, authenticated;
--> statement-breakpoint
create or replace trigger files_count after insert or delete on public.files
  for each row execute function public.count_file();
--> statement-breakpoint
-- The keyword query of a question, shared by retrieval and search. A question's words are
-- OR-ed (stop words dropped, stems by the english configuration), so a passage that holds only
-- some of them is still found and ranked by how many and how close; "quoted phrases" are
-- required, and -word excludes. Nothing to look for (only stop words) gives null: no match.
create or replace function public.keyword_query(query text)
returns tsquery
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  required tsquery;
  optional tsquery;
  excluded tsquery;
  phrase text;
  word text;
  result tsquery;
begin
  for phrase in select m[1] from regexp_matches(coalesce(query, ''), '"([^"]*)"', 'g') as m loop
    -- Stop words alone are skipped here rather than left to raise notices in the parsers.
    continue when length(to_tsvector('english'::regconfig, phrase)) = 0;
    required := coalesce(required && phraseto_tsquery('english'::regconfig, phrase),
      phraseto_tsquery('english'::regconfig, phrase));
  end loop;
  for word in
    select w from regexp_split_to_table(
      replace(regexp_replace(coalesce(query, ''), '"[^"]*"', ' ', 'g'), '"', ' '), '\s+'
    ) as w
  loop
    continue when length(to_tsvector('english'::regconfig, ltrim(word, '-'))) = 0;
    if left(word, 1) = '-' then
      excluded := coalesce(excluded || plainto_tsquery('english'::regconfig, ltrim(word, '-')),
        plainto_tsquery('english'::regconfig, ltrim(word, '-')));
    else
      optional := coalesce(optional || plainto_tsquery('english'::regconfig, word),
        plainto_tsquery('english'::regconfig, word));
    end if;
  end loop;
  -- The OR with the phrases is always true where they match: it only lets the other words raise
  -- the rank of the passages that also hold them.
  result := coalesce(required && (optional || required), required, optional);
  if excluded is not null then
    result := result && !! excluded;
  end if;
  return result;
end
$$;
--> statement-breakpoint
-- The caller's rows matching a keyword query, best first: passages of ready files ('chunks',
-- optionally of `file_ids`), messages ('messages': user and assistant, not being written) or
-- conversation titles ('titles'), with their ts_rank_cd (weights {D, C, B, A}: a word in a
-- heading counts twice one in the text), at most `max_count` (null: all).
--
-- Security definer, reviewed: Postgres never lets a non-leakproof operator such as `@@` run ahead
-- of a row-level security policy, so under RLS no full-text index can be used and every search
-- would tokenise all of the caller's rows. This function filters on `auth.uid()` itself (with a
-- null uid it matches nothing), returns only ids and ranks, and its callers (security invoker)
-- join the ids back to the tables, where RLS applies again.
create or replace function public.keyword_candidates(
  source text,
  query tsquery,
  file_ids uuid[],
  max_count integer
)
returns table (id uuid, rank real)
language sql
stable
security definer
set search_path = ''
as $$
  select c.id, ts_rank_cd('{0.5, 0.2, 0.4, 1.0}'::real[], c.search_vector, $2, 32)
  from public.document_chunks c
  where $1 = 'chunks'
    and c.user_id = (select auth.uid())
    and c.search_vector @@ $2
    and ($3 is null or c.file_id = any ($3))
    and exists (
      select 1 from public.files f
      where f.id = c.file_id and f.user_id = c.user_id and f.status = 'ready'
    )
  union all
  select m.id,
    ts_rank_cd('{0.5, 0.2, 0.4, 1.0}'::real[], to_tsvector('english'::regconfig, left(m.content, 100000)), $2, 32)
  from public.messages m
  where $1 = 'messages'
    and m.user_id = (select auth.uid())
    and m.status <> 'streaming'
    and to_tsvector('english'::regconfig, left(m.content, 100000)) @@ $2
    and m.role in ('user', 'assistant')
  union all
  select cv.id,
    ts_rank_cd('{0.5, 0.2, 0.4, 1.0}'::real[], to_tsvector('english'::regconfig, coalesce(cv.title, '')), $2, 32)
  from public.conversations cv
  where $1 = 'titles'
    and cv.user_id = (select auth.uid())
    and cv.title is not null
    and to_tsvector('english'::regconfig, coalesce(cv.title, '')) @@ $2
  order by 2 desc, 1
  limit $4
$$;
--> statement-breakpoint
-- The caller's chunks nearest to a query embedding, best first, with their positions (1-based).
-- Empty without an embedding or without pgvector. Dynamic SQL so that this function exists (and
-- callers can be written once) whether or not the vector type does, and so the dimension is a
-- literal the planner matches to its partial HNSW index. Iterative index scans (pgvector 0.8)
-- keep scanning until enough rows pass row-level security, so a user gets a full top-n.
create or replace function public.chunk_vector_candidates(
  query_embedding real[],
  embedding_model text,
  file_ids uuid[],
  candidate_count integer
)
returns table (id uuid, rank bigint)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  dims integer := cardinality(query_embedding);
begin
  if dims is null or dims = 0 or to_regtype('extensions.vector') is null then
    return;
  end if;
  if current_setting('hnsw.iterative_scan', true) is not null then
    perform set_config('hnsw.iterative_scan', 'strict_order', true);
  end if;
  return query execute format(
    $q$
      select nearest.id, row_number() over (order by nearest.distance, nearest.id)
      from (
        select c.id,
          c.embedding::extensions.vector(%1$s) operator(extensions.<=>) $1::extensions.vector(%1$s)
            as distance
        from public.document_chunks c
        where extensions.vector_dims(c.embedding) = %1$s
          and ($2::text is null or c.embedding_model = $2)
          and ($3::uuid[] is null or c.file_id = any ($3))
          -- A per-row filter rather than a join, so the index scan streams in distance order
          -- and stops as soon as the limit is reached.
          and (select f.status from public.files f where f.id = c.file_id) = 'ready'
        order by c.embedding::extensions.vector(%1$s) operator(extensions.<=>) $1::extensions.vector(%1$s)
        limit $4
      ) nearest
    $q$,
    dims
  ) using query_embedding, embedding_model, file_ids, candidate_count;
end
$$;
--> statement-breakpoint
-- The passages for a question from the caller's ready files (all of them, or `file_ids`): the
-- keyword top-n and the vector top-n (when an embedding is given and pgvector exists), fused by
-- reciprocal-rank fusion (k = 60), best first. `keyword_rank`/`vector_rank` are the 1-based
-- positions on each side (null when absent there). The snippet is the passage's best-matching
-- stretch, plain text taken verbatim from the content.
create or replace function public.retrieve_chunks(
  query text,
  query_embedding real[] default null,
  embedding_model text default null,
  file_ids uuid[] default null,
  match_count integer default 8
)
returns table (
  chunk_id uuid,
  file_id uuid,
  file_name text,
  page integer,
  heading_path text[],
  content text,
  snippet text,
  keyword_rank integer,
  vector_rank integer,
  score double precision
)
language sql
stable
security invoker
set search_path = ''
as $$
  with params as (
    select public.keyword_query($1) as tsq, greatest(least($5, 100), 1) as k,
      greatest(least($5, 100), 1) * 4 as n
  ),
  keyword as (
    -- Joined back to the table, so row-level security has the last word on every candidate.
    select c.id, row_number() over (order by k.rank desc, k.id) as position
    from public.keyword_candidates('chunks', (select tsq from params), $4, (select n from params)) k
    join public.document_chunks c on c.id = k.id
  ),
  semantic as (
    select v.id, v.rank as position
    from public.chunk_vector_candidates($2, $3, $4, (select n from params)) v
  ),
  fused as (
    select ranked.id, min(ranked.k_rank) as k_rank, min(ranked.v_rank) as v_rank,
      sum(1.0 / (60 + ranked.position))::double precision as score
    from (
      select id, position, position as k_rank, null::bigint as v_rank from keyword
      union all
      select id, position, null, position from semantic
    ) ranked
    group by ranked.id
  )
  select c.id, c.file_id, f.name, c.page, c.heading_path, c.content,
    -- Without a keyword query (only stop words), the passage's start.
    coalesce(
      ts_headline('english'::regconfig, c.content, p.tsq,
        'StartSel="", StopSel="", MinWords=25, MaxWords=60, ShortWord=2'),
      left(c.content, 400)
    ),
    fu.k_rank::integer, fu.v_rank::integer, fu.score
  from fused fu
  join public.document_chunks c on c.id = fu.id
  join public.files f on f.id = c.file_id
  cross join params p
  order by fu.score desc, fu.k_rank nulls last, c.id
  limit (select k from params)
$$;
--> statement-breakpoint
-- Search over the caller's conversation titles, messages (user and assistant, not being
-- written) and file passages, best first, one page at a time. Keyword matches are ranked by
-- ts_rank_cd; with a query embedding, passages near it join and every hit is ranked by
-- reciprocal-rank fusion (k = 60) instead. Pages continue after (`after_score`, `after_id`) in
-- (score desc, id desc) order. Snippets mark matches between U+E000 and U+E001 (the sources'
-- own such characters are removed first), for the caller to split into plain segments.
create or replace function public.search_knowledge(
  query text,
  scope text default 'all',
  query_embedding real[] default null,
  embedding_model text default null,
  after_score double precision default null,
  after_id uuid default null,
  match_count integer default 20
)
returns table (
  kind text,
  id uuid,
  conversation_id uuid,
  conversation_title text,
  message_id uuid,
  role text,
  file_id uuid,
  file_name text,
  chunk_id uuid,
  page integer,
  heading_path text[],
  snippet text,
  created_at timestamp (3) with time zone,
  score double precision
)
language sql
stable
security invoker
set search_path = ''
as $$
  with params as (
    select public.keyword_query($1) as tsq, $2 in ('messages', 'all') as in_messages,
      $2 in ('files', 'all') as in_files
  ),
  matches as (
    select 'message' as kind, k.id, k.rank
    from public.keyword_candidates('messages', (select tsq from params), null, null) k
    where (select in_messages from params)
    union all
    select 'conversation', k.id, k.rank
    from public.keyword_candidates('titles', (select tsq from params), null, null) k
    where (select in_messages from params)
    union all
    select 'file', k.id, k.rank
    from public.keyword_candidates('chunks', (select tsq from params), null, null) k
    where (select in_files from params)
  ),
  scored as (
    select s.kind, s.id,
      case when $3 is null then max(s.rank)::double precision
        else sum(1.0 / (60 + s.position))::double precision end as score
    from (
      select mt.kind, mt.id, mt.rank,
        row_number() over (order by mt.rank desc, mt.id desc) as position
      from matches mt
      union all
      select 'file', v.id, null, v.rank
      from public.chunk_vector_candidates($3, $4, null, 100) v
      where (select in_files from params)
    ) s
    group by s.kind, s.id
  ),
  hits as (
    select sc.kind, sc.id, sc.score from scored sc
    where $5 is null or (sc.score, sc.id) < ($5, $6)
    order by sc.score desc, sc.id desc
    limit greatest(least($7, 101), 1)
  )
  select pg.kind, pg.id, cv.id, cv.title, m.id, m.role, f.id, f.name, ch.id, ch.page,
    ch.heading_path,
    coalesce(
      ts_headline('english'::regconfig, source.text, p.tsq,
        format('StartSel=%s, StopSel=%s, MinWords=12, MaxWords=30, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "',
          chr(57344), chr(57345))),
      left(source.text, 300)
    ),
    case pg.kind when 'message' then m.created_at when 'conversation' then cv.created_at
      else f.created_at end,
    pg.score
  from hits pg
  cross join params p
  left join public.messages m on pg.kind = 'message' and m.id = pg.id
  left join public.document_chunks ch on pg.kind = 'file' and ch.id = pg.id
  left join public.files f on f.id = ch.file_id
  left join public.conversations cv
    on cv.id = case pg.kind when 'message' then m.conversation_id when 'conversation' then pg.id end
  cross join lateral (
    select translate(
      case pg.kind when 'message' then left(m.content, 100000)
        when 'conversation' then cv.title else ch.content end,
      chr(57344) || chr(57345), '') as text
  ) source
  -- Row-level security has the last word: a hit whose row the caller cannot read is dropped.
  where source.text is not null
  order by pg.score desc, pg.id desc
$$;
--> statement-breakpoint
-- Indexes a processing file in one statement: inserts all its passages (with embeddings when
-- given and pgvector exists) and marks it ready with its counts; raises PF409 when the file is
-- not the caller's or no longer processing, and any bad passage rolls back the whole call.
-- `chunks` is a JSON array of {ordinal, page, headingPath, content, tokenCount, embedding?}.
-- Returns the file's embedding model as stored: null when embeddings could not be kept.
create or replace function public.complete_file_ingest(
  target_file_id uuid,
  page_count integer,
  embedding_model text,
  chunks jsonb
)
returns public.files
language plpgsql
security invoker
set search_path = ''
as $$
declare
  f public.files;
  with_vectors boolean := embedding_model is not null and to_regtype('extensions.vector') is not null;
begin
  update public.files fl set
    status = 'ready', error = null, page_count = complete_file_ingest.page_count,
    chunk_count = jsonb_array_length(chunks),
    embedding_model = case when with_vectors then complete_file_ingest.embedding_model end
  where fl.id = target_file_id and fl.status = 'processing'
  returning fl.* into f;
  if not found then
    raise exception 'file % is not being processed', target_file_id using errcode = 'PF409';
  end if;
  if with_vectors then
    execute $q$
      insert into public.document_chunks
        (file_id, user_id, ordinal, page, heading_path, content, token_count, embedding_model, embedding)
      select $1, $2, x.ordinal, x.page, coalesce(x."headingPath", '{}'), x.content, x."tokenCount",
        $3, x.embedding::extensions.vector
      from jsonb_to_recordset($4)
        as x(ordinal integer, page integer, "headingPath" text[], content text, "tokenCount" integer, embedding real[])
    $q$ using f.id, f.user_id, f.embedding_model, chunks;
  else
    insert into public.document_chunks
      (file_id, user_id, ordinal, page, heading_path, content, token_count)
    select f.id, f.user_id, x.ordinal, x.page, coalesce(x."headingPath", '{}'), x.content, x."tokenCount"
    from jsonb_to_recordset(chunks)
      as x(ordinal integer, page integer, "headingPath" text[], content text, "tokenCount" integer);
  end if;
  return f;
end
$$;
--> statement-breakpoint
revoke all on function
  public.keyword_query(text),
  public.keyword_candidates(text, tsquery, uuid[], integer),
  public.chunk_vector_candidates(real[], text, uuid[], integer),
  public.retrieve_chunks(text, real[], text, uuid[], integer),
  public.search_knowledge(text, text, real[], text, double precision, uuid, integer),
  public.complete_file_ingest(uuid, integer, text, jsonb)
from public, anon;
--> statement-breakpoint
grant execute on function
  public.keyword_query(text),
  public.keyword_candidates(text, tsquery, uuid[], integer),
  public.chunk_vector_candidates(real[], text, uuid[], integer),
  public.retrieve_chunks(text, real[], text, uuid[], integer),
  public.search_knowledge(text, text, real[], text, double precision, uuid, integer),
  public.complete_file_ingest(uuid, integer, text, jsonb)
to authenticated, service_role;
