-- A large file's passages are stored in batches, all in the transaction that marks it ready:
-- one statement per few hundred passages instead of one JSON document holding every passage and
-- vector (past Postgres' jsonb limit for a big file, and a long block of the API's event loop).

-- Adds a batch of passages to a processing file: with embeddings when a model is named and
-- passages have their vector column. Raises PF409 when the file is not the caller's, no longer
-- processing, or (with `claimed_by`) claimed by another reader. `chunks` is a JSON array of
-- {ordinal, page, headingPath, content, tokenCount, embedding?}. Returns how many were added.
create or replace function public.add_file_chunks(
  target_file_id uuid,
  embedding_model text,
  chunks jsonb,
  claimed_by uuid default null
)
returns integer
language plpgsql
security invoker
set search_path = ''
as $$
declare
  f public.files;
  with_vectors boolean := embedding_model is not null and public.has_embedding_column('public.document_chunks');
  added integer;
begin
  select fl.* into f from public.files fl
  where fl.id = target_file_id and fl.status = 'processing'
    and (claimed_by is null or fl.ingest_owner = claimed_by);
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
    $q$ using f.id, f.user_id, embedding_model, chunks;
  else
    insert into public.document_chunks
      (file_id, user_id, ordinal, page, heading_path, content, token_count)
    select f.id, f.user_id, x.ordinal, x.page, coalesce(x."headingPath", '{}'), x.content, x."tokenCount"
    from jsonb_to_recordset(chunks)
      as x(ordinal integer, page integer, "headingPath" text[], content text, "tokenCount" integer);
  end if;
  get diagnostics added = row_count;
  return added;
end
$$;
--> statement-breakpoint
-- Indexes a processing file: adds `chunks` (the last batch, or all of them) as `add_file_chunks`
-- does, then marks the file ready with its counts (every passage added in this transaction),
-- releasing its claim; PF409 as there. Returns the file's embedding model as stored: null when
-- embeddings could not be kept.
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
  perform public.add_file_chunks(target_file_id, embedding_model, chunks, claimed_by);
  update public.files fl set
    status = 'ready', error = null, page_count = complete_file_ingest.page_count,
    chunk_count = (select count(*)::integer from public.document_chunks c where c.file_id = fl.id),
    embedding_model = case when with_vectors then complete_file_ingest.embedding_model end,
    ingest_owner = null, ingest_lease_until = null
  where fl.id = target_file_id and fl.status = 'processing'
    and (claimed_by is null or fl.ingest_owner = claimed_by)
  returning fl.* into f;
  if not found then
    raise exception 'file % is not being processed', target_file_id using errcode = 'PF409';
  end if;
  return f;
end
$$;
--> statement-breakpoint
revoke all on function public.add_file_chunks(uuid, text, jsonb, uuid)
  from public, anon, authenticated;
--> statement-breakpoint
grant execute on function public.add_file_chunks(uuid, text, jsonb, uuid)
  to parley_user, service_role;
