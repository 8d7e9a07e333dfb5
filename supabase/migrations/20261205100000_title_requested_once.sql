-- A conversation's title is asked of a model at most once: the first turn to set this claims it,
-- so a title that fails or is refused is not paid for again on every later turn.
alter table public.conversations add column "title_requested_at" timestamp (3) with time zone;
--> statement-breakpoint
grant update (title_requested_at) on table public.conversations to authenticated;
