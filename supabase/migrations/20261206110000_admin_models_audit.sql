-- The model catalog becomes the admin's to edit while the servers run, and every admin change is
-- kept in an audit trail.
--
-- Fallback chains and the `auto` tiers move from configuration into the catalog rows (the
-- configuration only seeds them: null means "not seeded yet"). A catalog version, bumped in the
-- transaction of every write to model_configs, lets each API instance see cheaply that the
-- catalog changed and rebuild its model list and router from the rows.
alter table public.model_configs
  add column fallbacks text[],
  add column auto_tiers text[];
--> statement-breakpoint
alter table public.model_configs
  add constraint model_configs_auto_tiers_valid
    check (auto_tiers is null or auto_tiers <@ array['small', 'strong']::text[]),
  add constraint model_configs_fallbacks_not_self
    check (fallbacks is null or not (id = any (fallbacks)));
--> statement-breakpoint
create table parley_internal.model_catalog_version (
  singleton boolean primary key default true,
  version bigint not null default 1,
  constraint model_catalog_version_singleton check (singleton)
);
--> statement-breakpoint
alter table parley_internal.model_catalog_version enable row level security;
--> statement-breakpoint
revoke all on table parley_internal.model_catalog_version from public, anon, authenticated;
--> statement-breakpoint
grant select on table parley_internal.model_catalog_version to service_role;
--> statement-breakpoint
insert into parley_internal.model_catalog_version (singleton, version) values (true, 1);
--> statement-breakpoint
-- Definer rights: admins write the catalog, never the version row itself.
create or replace function public.bump_model_catalog_version()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update parley_internal.model_catalog_version set version = version + 1 where singleton;
  return null;
end
$$;
--> statement-breakpoint
revoke all on function public.bump_model_catalog_version() from public, anon, authenticated;
--> statement-breakpoint
create or replace trigger model_configs_bump_catalog_version
  after insert or update or delete or truncate on public.model_configs
  for each statement execute function public.bump_model_catalog_version();
--> statement-breakpoint
-- Who changed what, when, from what to what. Written by the admin's own transaction (so a
-- change without its row cannot commit), read by admins, never changed or removed through the
-- API roles. The actor's email is copied so the trail outlives the account.
create table public.admin_audit (
  id uuid primary key default gen_random_uuid() not null,
  actor_id uuid default auth.uid() references auth.users (id) on delete set null,
  actor_email text default (auth.jwt() ->> 'email'),
  action text not null,
  target_type text not null,
  target_id text not null,
  before jsonb,
  after jsonb,
  created_at timestamp (3) with time zone default now() not null,
  constraint admin_audit_action_format check (action ~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)*$'),
  constraint admin_audit_target_type_format check (target_type ~ '^[a-z][a-z_]{0,63}$'),
  constraint admin_audit_target_id_length check (char_length(target_id) between 1 and 200)
);
--> statement-breakpoint
create index admin_audit_created_at_idx on public.admin_audit using btree (created_at desc, id desc);
--> statement-breakpoint
create index admin_audit_target_idx on public.admin_audit using btree (target_type, created_at desc, id desc);
--> statement-breakpoint
create index admin_audit_actor_id_idx on public.admin_audit using btree (actor_id);
--> statement-breakpoint
alter table public.admin_audit enable row level security;
--> statement-breakpoint
create policy admin_audit_select_admin on public.admin_audit as permissive
  for select to authenticated
  using ((select public.is_admin()));
--> statement-breakpoint
-- An admin records only their own changes, under their own id and email.
create policy admin_audit_insert_admin on public.admin_audit as permissive
  for insert to authenticated
  with check (
    (select public.is_admin())
    and actor_id = (select auth.uid())
    and actor_email is not distinct from ((select auth.jwt()) ->> 'email')
  );
--> statement-breakpoint
revoke all on table public.admin_audit from anon, authenticated;
--> statement-breakpoint
grant select, insert on table public.admin_audit to authenticated;
--> statement-breakpoint
grant select, insert on table public.admin_audit to service_role;
