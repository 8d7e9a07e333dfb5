-- Semantic search over messages: each user and assistant message gets an embedding after its
-- turn has settled (in the background, never on the turn's path), with the model that made it.
-- Search fuses the messages nearest to the query's embedding with the keyword matches through
-- the same reciprocal-rank fusion as file passages.
--
-- As for passages, the `embedding` column and its indexes exist only where pgvector is
-- installed; without it the table stays empty and search is keyword only, unchanged.
create table public.message_embeddings (
  message_id uuid primary key references public.messages (id) on delete cascade,
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  model text not null,
  created_at timestamp (3) with time zone not null default now(),
  constraint message_embeddings_model_length check (char_length(model) between 1 and 200)
);
--> statement-breakpoint
create index message_embeddings_user_id_idx on public.message_embeddings (user_id);
--> statement-breakpoint
alter table public.message_embeddings enable row level security;
--> statement-breakpoint
create policy message_embeddings_select_own on public.message_embeddings
  for select to authenticated using (user_id = (select auth.uid()));
--> statement-breakpoint
-- An embedding belongs to its message's owner: the message must be one the caller can read.
create policy message_embeddings_insert_own on public.message_embeddings
  for insert to authenticated with check (
    user_id = (select auth.uid())
    and exists (
      select 1 from public.messages m
      where m.id = message_embeddings.message_id and m.user_id = message_embeddings.user_id
    )
  );
--> statement-breakpoint
create policy message_embeddings_update_own on public.message_embeddings
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
--> statement-breakpoint
create policy message_embeddings_delete_own on public.message_embeddings
  for delete to authenticated using (user_id = (select auth.uid()));
--> statement-breakpoint
-- Written only by the API's role (see the Data API migration); users read their own rows.
revoke all on table public.message_embeddings from anon, authenticated;
--> statement-breakpoint
grant select on table public.message_embeddings to authenticated;
--> statement-breakpoint
grant insert, update, delete on table public.message_embeddings to parley_user;
--> statement-breakpoint
grant all on table public.message_embeddings to service_role;
--> statement-breakpoint
-- The vectors, only where pgvector is installed: unsized, with one partial HNSW cosine index per
-- common dimension, as for passages (see the knowledge migration).
do $$
declare
  dims integer;
begin
  if not exists (select 1 from pg_extension where extname = 'vector') then
    return;
  end if;
  alter table public.message_embeddings add column if not exists embedding extensions.vector not null;
  foreach dims in array array[384, 768, 1024, 1536] loop
    execute format(
      'create index if not exists message_embeddings_embedding_%1$s_idx on public.message_embeddings
         using hnsw ((embedding::extensions.vector(%1$s)) extensions.vector_cosine_ops)
         where extensions.vector_dims(embedding) = %1$s',
      dims
    );
  end loop;
end
$$;
--> statement-breakpoint
-- Stores embeddings of the caller's messages made by `embedding_model`, replacing those of
-- another model. `items` is a JSON array of {messageId, embedding}. Messages the caller cannot
-- read (another user's, or deleted since) are skipped. Returns how many were stored; 0 without
-- pgvector.
create or replace function public.store_message_embeddings(embedding_model text, items jsonb)
returns integer
language plpgsql
security invoker
set search_path = ''
as $$
declare
  stored integer;
begin
  if to_regtype('extensions.vector') is null or embedding_model is null then
    return 0;
  end if;
  execute $q$
    insert into public.message_embeddings (message_id, user_id, model, embedding)
    select m.id, m.user_id, $1, x.embedding::extensions.vector
    from jsonb_to_recordset($2) as x("messageId" uuid, embedding real[])
    join public.messages m on m.id = x."messageId"
    where m.user_id = (select auth.uid()) and cardinality(x.embedding) > 0
    on conflict (message_id) do update
      set model = excluded.model, embedding = excluded.embedding, created_at = now()
      where public.message_embeddings.model <> excluded.model
  $q$ using embedding_model, items;
  get diagnostics stored = row_count;
  return stored;
end
$$;
--> statement-breakpoint
-- The caller's messages nearest to a query embedding of `embedding_model` (only vectors of that
-- model are compared), best first, with their positions (1-based). Empty without an embedding,
-- a model or pgvector. Security invoker: row-level security filters the candidates, and the
-- owner predicate lets the planner read a small user's rows by their index.
create or replace function public.message_vector_candidates(
  query_embedding real[],
  embedding_model text,
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
  if dims is null or dims = 0 or embedding_model is null
    or to_regtype('extensions.vector') is null then
    return;
  end if;
  if current_setting('hnsw.iterative_scan', true) is not null then
    perform set_config('hnsw.iterative_scan', 'strict_order', true);
  end if;
  return query execute format(
    $q$
      select nearest.id, row_number() over (order by nearest.distance, nearest.id)
      from (
        select e.message_id as id,
          e.embedding::extensions.vector(%1$s) operator(extensions.<=>) $1::extensions.vector(%1$s)
            as distance
        from public.message_embeddings e
        where extensions.vector_dims(e.embedding) = %1$s
          and e.model = $2
          and e.user_id = (select auth.uid())
        order by e.embedding::extensions.vector(%1$s) operator(extensions.<=>) $1::extensions.vector(%1$s)
        limit $3
      ) nearest
    $q$,
    dims
  ) using query_embedding, embedding_model, candidate_count;
end
$$;
--> statement-breakpoint
-- Search as before (see the knowledge migration), with messages near the query's embedding
-- joining the fusion as passages do: with an embedding, every hit is ranked by reciprocal-rank
-- fusion (k = 60) of its keyword position and its vector position among its kind.
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
      union all
      select 'message', v.id, null, v.rank
      from public.message_vector_candidates($3, $4, 100) v
      where (select in_messages from params)
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
revoke all on function
  public.store_message_embeddings(text, jsonb),
  public.message_vector_candidates(real[], text, integer)
from public, anon, authenticated;
--> statement-breakpoint
grant execute on function
  public.store_message_embeddings(text, jsonb),
  public.message_vector_candidates(real[], text, integer)
to parley_user, service_role;
