-- The branch a conversation shows: the leaf its thread ends at, kept per conversation so a reload
-- or another device shows the same path. Null means the newest message (conversations from
-- before this column, or whose leaf was deleted).
alter table public.conversations
  add column active_leaf_id uuid references public.messages (id) on delete set null;
--> statement-breakpoint
grant update (active_leaf_id) on table public.conversations to authenticated;
