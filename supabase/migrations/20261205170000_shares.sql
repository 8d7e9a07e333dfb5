-- Share links: an immutable snapshot of a conversation's thread up to one message, published
-- under an unguessable id. The snapshot is copied when the link is made, so later edits and
-- messages never reach it. Owners create, list and revoke their links; nobody reads this table
-- directly except its owner. The public reads one share by id through `read_share` only.
create table public.conversation_shares (
  id text primary key not null,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  message_id uuid not null references public.messages (id) on delete cascade,
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  title text,
  snapshot jsonb not null,
  message_count integer not null,
  created_at timestamp (3) with time zone not null default now(),
  revoked_at timestamp (3) with time zone,
  constraint conversation_shares_id_format check (id ~ '^[A-Za-z0-9_-]{22,64}$'),
  constraint conversation_shares_snapshot_array check (jsonb_typeof(snapshot) = 'array'),
  constraint conversation_shares_message_count check (message_count = jsonb_array_length(snapshot))
);
--> statement-breakpoint
create index conversation_shares_conversation_id_idx
  on public.conversation_shares (conversation_id, created_at);
--> statement-breakpoint
create index conversation_shares_user_id_idx on public.conversation_shares (user_id);
--> statement-breakpoint
create index conversation_shares_message_id_idx on public.conversation_shares (message_id);
--> statement-breakpoint
alter table public.conversation_shares enable row level security;
--> statement-breakpoint
create policy conversation_shares_select_own on public.conversation_shares
  for select to authenticated
  using (user_id = (select auth.uid()));
--> statement-breakpoint
-- Only of one's own conversation, up to one of its messages (the subqueries run under RLS).
create policy conversation_shares_insert_own on public.conversation_shares
  for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and revoked_at is null
    and exists (select 1 from public.conversations c where c.id = conversation_id)
    and exists (
      select 1 from public.messages m where m.id = message_id and m.conversation_id = conversation_id
    )
  );
--> statement-breakpoint
-- Revoking is the only change, and it is final.
create policy conversation_shares_update_own on public.conversation_shares
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()) and revoked_at is not null);
--> statement-breakpoint
revoke all on table public.conversation_shares from anon, authenticated;
--> statement-breakpoint
grant select, insert on table public.conversation_shares to authenticated;
--> statement-breakpoint
grant update (revoked_at) on table public.conversation_shares to authenticated;
--> statement-breakpoint
grant all on table public.conversation_shares to service_role;
--> statement-breakpoint
-- A snapshot is a copy of messages: its bytes count against its owner's stored-bytes quota
-- (refused beyond it, like a message), and are given back when the link goes with its
-- conversation.
create or replace function public.count_share()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform public.charge_profile(new.user_id, 0, octet_length(new.snapshot::text), true);
    return new;
  end if;
  perform public.charge_profile(old.user_id, 0, -octet_length(old.snapshot::text), false);
  return old;
end
$$;
--> statement-breakpoint
revoke all on function public.count_share() from public, anon, authenticated;
--> statement-breakpoint
create or replace trigger conversation_shares_count after insert or delete on public.conversation_shares
  for each row execute function public.count_share();
--> statement-breakpoint
-- The one public path to a share: takes only its id and returns only the snapshot (title,
-- messages, when it was made), or that it was revoked, or null for an unknown id. Never the
-- owner, the conversation or anything written after the snapshot.
create or replace function public.read_share(share_id text)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select case
    when s.revoked_at is not null then jsonb_build_object('status', 'revoked')
    else jsonb_build_object(
      'status', 'live',
      'id', s.id,
      'title', s.title,
      'createdAt', s.created_at,
      'messages', s.snapshot
    )
  end
  from public.conversation_shares s
  where s.id = share_id;
$$;
--> statement-breakpoint
comment on function public.read_share(text) is 'Reads one share link''s snapshot by its id (or says it was revoked); the only way anon reaches a share.';
--> statement-breakpoint
revoke all on function public.read_share(text) from public;
--> statement-breakpoint
grant execute on function public.read_share(text) to anon, authenticated, service_role;
