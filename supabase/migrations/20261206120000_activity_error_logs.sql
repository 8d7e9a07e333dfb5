-- What people did (activity_log) and what went wrong (error_log), for the admin console. The
-- server writes both in batches through the service role, off the request's path; they hold ids,
-- codes and small metadata, never message text, titles, tokens or passwords. user_id has no
-- foreign key: an "account deleted" row outlives its account (until the retention purge), and a
-- batch never fails because a user went away between the event and the write.
create table public.activity_log (
  id uuid primary key not null default gen_random_uuid(),
  user_id uuid not null,
  type text not null,
  target_id text,
  metadata jsonb not null default '{}'::jsonb,
  request_id text,
  ip text,
  created_at timestamp (3) with time zone not null default now(),
  constraint activity_log_type_valid check (type in (
    'sign_in', 'sign_out', 'password_changed', 'account_deleted',
    'conversation_created', 'conversation_deleted', 'share_created', 'share_revoked',
    'feedback_given', 'feedback_cleared', 'file_uploaded', 'file_deleted',
    'invitation_created', 'budget_changed', 'user_changed', 'model_changed'
  )),
  constraint activity_log_target_id_length check (char_length(target_id) <= 200),
  constraint activity_log_metadata_small check (
    jsonb_typeof(metadata) = 'object' and octet_length(metadata::text) <= 2048
  ),
  constraint activity_log_request_id_length check (char_length(request_id) <= 200),
  constraint activity_log_ip_length check (char_length(ip) <= 64)
);
--> statement-breakpoint
create index activity_log_user_id_created_at_idx on public.activity_log (user_id, created_at desc, id desc);
--> statement-breakpoint
create index activity_log_created_at_idx on public.activity_log (created_at desc, id desc);
--> statement-breakpoint
alter table public.activity_log enable row level security;
--> statement-breakpoint
create policy activity_log_select_own_or_admin on public.activity_log
  for select to authenticated
  using (user_id = (select auth.uid()) or (select public.is_admin()));
--> statement-breakpoint
revoke all on table public.activity_log from anon, authenticated;
--> statement-breakpoint
grant select on table public.activity_log to authenticated;
--> statement-breakpoint
grant all on table public.activity_log to service_role;
--> statement-breakpoint
create table public.error_log (
  id uuid primary key not null default gen_random_uuid(),
  request_id text,
  source text not null,
  severity text not null,
  method text,
  route text,
  status integer,
  code text not null,
  message text not null,
  provider text,
  model text,
  user_id uuid,
  created_at timestamp (3) with time zone not null default now(),
  resolved_at timestamp (3) with time zone,
  resolved_by uuid,
  resolution_note text,
  constraint error_log_source_valid check (source in ('server', 'provider')),
  constraint error_log_severity_valid check (severity in ('error', 'warning')),
  constraint error_log_request_id_length check (char_length(request_id) <= 200),
  constraint error_log_method_length check (char_length(method) <= 16),
  constraint error_log_route_length check (char_length(route) <= 300),
  constraint error_log_code_length check (char_length(code) <= 64),
  constraint error_log_message_length check (char_length(message) <= 500),
  constraint error_log_provider_length check (char_length(provider) <= 64),
  constraint error_log_model_length check (char_length(model) <= 128),
  constraint error_log_note_length check (char_length(resolution_note) <= 2000),
  constraint error_log_resolved_together check ((resolved_at is null) = (resolved_by is null))
);
--> statement-breakpoint
create index error_log_created_at_idx on public.error_log (created_at desc, id desc);
--> statement-breakpoint
create index error_log_unresolved_idx on public.error_log (created_at desc) where resolved_at is null;
--> statement-breakpoint
alter table public.error_log enable row level security;
--> statement-breakpoint
create policy error_log_select_admin on public.error_log
  for select to authenticated
  using ((select public.is_admin()));
--> statement-breakpoint
-- Resolving is the only change: by an admin, in their own name (or undone entirely).
create policy error_log_update_admin on public.error_log
  for update to authenticated
  using ((select public.is_admin()))
  with check ((select public.is_admin()) and (resolved_by is null or resolved_by = (select auth.uid())));
--> statement-breakpoint
revoke all on table public.error_log from anon, authenticated;
--> statement-breakpoint
grant select on table public.error_log to authenticated;
--> statement-breakpoint
grant update (resolved_at, resolved_by, resolution_note) on table public.error_log to authenticated;
--> statement-breakpoint
grant all on table public.error_log to service_role;
--> statement-breakpoint
-- When the retention purge last ran: one row per purge job, moved forward by a conditional
-- update, so of several instances due in the same period exactly one purges.
create table parley_internal.log_purges (
  name text primary key not null,
  purged_at timestamptz not null
);
--> statement-breakpoint
alter table parley_internal.log_purges enable row level security;
--> statement-breakpoint
revoke all on table parley_internal.log_purges from public, anon, authenticated;
--> statement-breakpoint
grant select, insert, update on table parley_internal.log_purges to service_role;
--> statement-breakpoint
insert into parley_internal.log_purges (name, purged_at) values ('logs', '-infinity')
on conflict (name) do nothing;
