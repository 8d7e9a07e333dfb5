-- The originals still to remove from storage. Deleting a file row (by the user, by an account's
-- cascade, by anything) notes its storage key here in the same transaction, so an original whose
-- removal fails after the commit (the bucket unreachable, the process ended) is not forgotten:
-- the server removes it and its note later. A note is only a key and its owner, in a schema no
-- API role can use.
create table parley_private.original_deletions (
  storage_key text primary key,
  owner_id uuid not null,
  noted_at timestamp (3) with time zone not null default now()
);
--> statement-breakpoint
create index original_deletions_owner_idx on parley_private.original_deletions using btree (owner_id);
--> statement-breakpoint
create index original_deletions_noted_at_idx on parley_private.original_deletions using btree (noted_at);
--> statement-breakpoint
-- Once per statement, for every row it deleted: an account's cascade is one insert.
-- Security definer: the deleting user may not write to parley_private.
create function parley_private.note_original_deletions() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into parley_private.original_deletions (storage_key, owner_id)
  select gone.storage_key, gone.user_id from gone
  on conflict (storage_key) do nothing;
  return null;
end
$$;
--> statement-breakpoint
create trigger files_note_original_deletions
after delete on public.files
referencing old table as gone
for each statement
execute function parley_private.note_original_deletions();
--> statement-breakpoint
revoke all on table parley_private.original_deletions from public, anon, authenticated, service_role;
--> statement-breakpoint
revoke all on function parley_private.note_original_deletions() from public, anon, authenticated, service_role;
