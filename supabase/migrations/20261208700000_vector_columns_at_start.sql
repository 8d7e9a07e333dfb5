-- pgvector enabled after the knowledge and message-embedding migrations ran (the operator
-- installed it later, as the log advises) left the `embedding` columns and their indexes
-- missing while the `vector` type existed, and everything that tested the type then failed on
-- the column. Now the columns are added by `add_vector_columns()`, which the API's migrate step
-- runs at every start, and every check tests for the column itself.

-- Whether a table has its `embedding` column (and so can keep vectors).
create or replace function public.has_embedding_column(target regclass)
returns boolean
language sql
stable
security invoker
set search_path = ''
as $$
  select exists (
    select 1 from pg_catalog.pg_attribute a
    where a.attrelid = target and a.attname = 'embedding' and a.attnum > 0 and not a.attisdropped
  )
$$;
--> statement-breakpoint
-- Creates pgvector (when the server has it and it is not there yet), then adds whatever the
-- migrations could not add without it: the `embedding` columns of passages and message
-- embeddings, the passages' column-with-model check, and the partial HNSW indexes per common
-- dimension. Idempotent; run by the schema owner at each start. Returns whether vectors can be
-- kept now.
create or replace function public.add_vector_columns()
returns boolean
language plpgsql
security invoker
set search_path = ''
as $$
declare
  dims integer;
begin
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('parley.migrate'));
  if not exists (select 1 from pg_catalog.pg_extension where extname = 'vector')
    and exists (select 1 from pg_catalog.pg_available_extensions where name = 'vector') then
    begin
      create extension if not exists vector with schema extensions;
    exception when insufficient_privilege then
      raise warning 'pgvector is available but this role cannot create it: %', sqlerrm;
    end;
  end if;
  -- Installed in another schema (a plain `create extension vector`), it is not the type the
  -- columns and functions name; vectors stay off until it is in `extensions`.
  if pg_catalog.to_regtype('extensions.vector') is null then
    return false;
  end if;
  begin
    if not public.has_embedding_column('public.document_chunks') then
      alter table public.document_chunks add column embedding extensions.vector;
      alter table public.document_chunks drop constraint if exists document_chunks_embedding_with_model;
      alter table public.document_chunks add constraint document_chunks_embedding_with_model
        check ((embedding is null) = (embedding_model is null));
    end if;
    if not public.has_embedding_column('public.message_embeddings') then
      -- Without the column no embedding could be stored, so a row here carries no vector.
      delete from public.message_embeddings;
      alter table public.message_embeddings add column embedding extensions.vector not null;
    end if;
    -- Only the missing ones: creating an index, even one that exists, needs the table's owner.
    foreach dims in array array[384, 768, 1024, 1536] loop
      if pg_catalog.to_regclass(pg_catalog.format('public.document_chunks_embedding_%s_idx', dims)) is null then
        execute pg_catalog.format(
          'create index document_chunks_embedding_%1$s_idx on public.document_chunks
             using hnsw ((embedding::extensions.vector(%1$s)) extensions.vector_cosine_ops)
             where extensions.vector_dims(embedding) = %1$s',
          dims
        );
      end if;
      if pg_catalog.to_regclass(pg_catalog.format('public.message_embeddings_embedding_%s_idx', dims)) is null then
        execute pg_catalog.format(
          'create index message_embeddings_embedding_%1$s_idx on public.message_embeddings
             using hnsw ((embedding::extensions.vector(%1$s)) extensions.vector_cosine_ops)
             where extensions.vector_dims(embedding) = %1$s',
          dims
        );
      end if;
    end loop;
  exception when insufficient_privilege then
    -- A role that does not own the tables starts (without what it could not add) rather than not at all.
    raise warning 'the vector columns or their indexes could not be added by this role: %', sqlerrm;
    return public.has_embedding_column('public.document_chunks')
      and public.has_embedding_column('public.message_embeddings');
  end;
  return true;
end
$$;
--> statement-breakpoint
revoke all on function public.add_vector_columns() from public, anon, authenticated, service_role;
--> statement-breakpoint
revoke all on function public.has_embedding_column(regclass) from public, anon, authenticated;
--> statement-breakpoint
grant execute on function public.has_embedding_column(regclass) to parley_user, service_role;
--> statement-breakpoint
-- The caller's chunks nearest to a query embedding (see the knowledge migration); empty where
-- passages have no embedding column.
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
  if dims is null or dims = 0 or not public.has_embedding_column('public.document_chunks') then
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
-- Stores embeddings of the caller's messages (see the message-embeddings migration); 0 where
-- message embeddings have no vector column.
create or replace function public.store_message_embeddings(embedding_model text, items jsonb)
returns integer
language plpgsql
security invoker
set search_path = ''
as $$
declare
  stored integer;
begin
  if not public.has_embedding_column('public.message_embeddings') or embedding_model is null then
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
-- The caller's messages nearest to a query embedding (see the message-embeddings migration);
-- empty where message embeddings have no vector column.
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
    or not public.has_embedding_column('public.message_embeddings') then
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
-- Indexes a processing file (see the ingest-leases migration), with embeddings only where
-- passages have their vector column.
create or replace function public.complete_file_ingest(
  target_file_id uuid,
  page_count integer,
  embedding_model text,
  chunks jsonb,
  claimed_by uuid default null
)
returns public.files
language plpgsql
security invoker
set search_path = ''
as $$
declare
  f public.files;
  with_vectors boolean := embedding_model is not null and public.has_embedding_column('public.document_chunks');
begin
  update public.files fl set
    status = 'ready', error = null, page_count = complete_file_ingest.page_count,
    chunk_count = jsonb_array_length(chunks),
    embedding_model = case when with_vectors then complete_file_ingest.embedding_model end,
    ingest_owner = null, ingest_lease_until = null
  where fl.id = target_file_id and fl.status = 'processing'
    and (claimed_by is null or fl.ingest_owner = claimed_by)
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
