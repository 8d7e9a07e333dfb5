-- Which server instance is streaming each reply. The instance renews the lease of all its live
-- replies in one statement every few seconds; any instance closes the streaming replies whose
-- lease went stale (their server died), so a resend of the same turn is not refused for ever.
-- Internal bookkeeping: a schema of its own that the Data API does not expose, service role only.
create schema if not exists parley_internal;
--> statement-breakpoint
revoke all on schema parley_internal from public;
--> statement-breakpoint
grant usage on schema parley_internal to service_role;
--> statement-breakpoint
create table if not exists parley_internal.reply_leases (
  message_id uuid primary key references public.messages (id) on delete cascade,
  instance_id uuid not null,
  heartbeat_at timestamptz not null default now()
);
--> statement-breakpoint
alter table parley_internal.reply_leases enable row level security;
--> statement-breakpoint
revoke all on table parley_internal.reply_leases from public, anon, authenticated;
--> statement-breakpoint
grant select, insert, update, delete on table parley_internal.reply_leases to service_role;
--> statement-breakpoint
-- The sweep looks for streaming replies every few seconds: a partial index keeps that cheap.
create index if not exists messages_streaming_updated_at_idx on public.messages (updated_at)
where status = 'streaming';
