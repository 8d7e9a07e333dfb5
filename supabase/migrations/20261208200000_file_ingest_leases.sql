-- Which server instance is reading each processing file. Several API instances share one
-- database: a file is read (and its passages embedded, which is paid for) by the one instance
-- that claimed it. The claim is a lease the instance renews while it works; another instance
-- takes the file over only once the lease has run out (its reader died), and a reader whose
-- lease was taken over can no longer complete or fail the file. `attempts` counts the claims,
-- so a file whose reading keeps stopping its server is given up after a few.
alter table public.files add column ingest_owner uuid;
--> statement-breakpoint
alter table public.files add column ingest_lease_until timestamp (3) with time zone;
--> statement-breakpoint
alter table public.files add constraint files_ingest_lease_with_owner
  check ((ingest_owner is null) = (ingest_lease_until is null));
--> statement-breakpoint
-- The API claims a file as its owner (row-level security applies); users never do, and the
-- Data API only reads.
grant update (ingest_owner, ingest_lease_until) on table public.files to parley_user;
--> statement-breakpoint
-- Completion now names the claimant: a reader whose claim was taken over stores nothing.
drop function if exists public.complete_file_ingest(uuid, integer, text, jsonb);
--> statement-breakpoint
-- Indexes a processing file in one statement: inserts all its passages (with embeddings when
-- given and pgvector exists) and marks it ready with its counts, releasing its claim; raises
-- PF409 when the file is not the caller's, no longer processing, or (with `claimed_by`) claimed
-- by another reader; any bad passage rolls back the whole call.
-- `chunks` is a JSON array of {ordinal, page, headingPath, content, tokenCount, embedding?}.
-- Returns the file's embedding model as stored: null when embeddings could not be kept.
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
  with_vectors boolean := embedding_model is not null and to_regtype('extensions.vector') is not null;
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
--> statement-breakpoint
revoke all on function public.complete_file_ingest(uuid, integer, text, jsonb, uuid)
  from public, anon, authenticated;
--> statement-breakpoint
grant execute on function public.complete_file_ingest(uuid, integer, text, jsonb, uuid)
  to parley_user, service_role;
