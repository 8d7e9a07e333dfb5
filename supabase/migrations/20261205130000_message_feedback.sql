-- A user's vote on a reply: up or down, with optional reason tags and a comment, changeable.
-- The model is copied from the reply by a trigger, so admins can count satisfaction per model
-- without reading anyone's messages.
create table public.message_feedback (
  message_id uuid primary key references public.messages (id) on delete cascade,
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  model text,
  vote text not null,
  reasons text[] not null default '{}',
  comment text,
  created_at timestamp (3) with time zone not null default now(),
  updated_at timestamp (3) with time zone not null default now(),
  constraint message_feedback_vote_valid check (vote in ('up', 'down')),
  constraint message_feedback_reasons_count check (cardinality(reasons) <= 8),
  constraint message_feedback_comment_length check (char_length(comment) <= 2000)
);
--> statement-breakpoint
create index message_feedback_user_id_idx on public.message_feedback (user_id);
--> statement-breakpoint
create index message_feedback_model_idx on public.message_feedback (model);
--> statement-breakpoint
alter table public.message_feedback enable row level security;
--> statement-breakpoint
create policy message_feedback_select_own_or_admin on public.message_feedback
  for select to authenticated
  using (user_id = (select auth.uid()) or (select public.is_admin()));
--> statement-breakpoint
-- Only on one's own replies (the subquery runs under the messages policies).
create policy message_feedback_insert_own on public.message_feedback
  for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and exists (select 1 from public.messages m where m.id = message_id and m.role = 'assistant')
  );
--> statement-breakpoint
create policy message_feedback_update_own on public.message_feedback
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
--> statement-breakpoint
create policy message_feedback_delete_own on public.message_feedback
  for delete to authenticated
  using (user_id = (select auth.uid()));
--> statement-breakpoint
revoke all on table public.message_feedback from anon, authenticated;
--> statement-breakpoint
grant select, insert, delete on table public.message_feedback to authenticated;
--> statement-breakpoint
grant update (vote, reasons, comment) on table public.message_feedback to authenticated;
--> statement-breakpoint
grant all on table public.message_feedback to service_role;
--> statement-breakpoint
-- The model always comes from the reply itself, never from the client.
create or replace function public.message_feedback_set_model()
returns trigger
language plpgsql
security invoker
set search_path = ''
as $$
begin
  new.model := (select m.model from public.messages m where m.id = new.message_id);
  new.updated_at := now();
  return new;
end
$$;
--> statement-breakpoint
revoke all on function public.message_feedback_set_model() from public, anon, authenticated;
--> statement-breakpoint
create or replace trigger message_feedback_set_model before insert or update on public.message_feedback
  for each row execute function public.message_feedback_set_model();
