-- Hosted Supabase serves the `public` schema through its Data API (PostgREST) unless the project
-- removes it from the exposed schemas: any signed-in user holding the anon key (shipped in the
-- web app) runs SQL there as the role `authenticated` with their own JWT's claims. That role held
-- the writes Parley's API makes for the user (token and cost columns, message content, usage
-- rows), so through PostgREST a user could have rewritten their own ledger.
--
-- Moving the tables to an unexposed schema would touch every query and migration and leave the
-- next table as exposed as the last. Instead, the writes move to `parley_user`, a role only the
-- API can become:
--   * NOLOGIN, and a member of `authenticated`, so every policy `to authenticated` and every
--     select grant applies to it unchanged; the claims keep `role = authenticated` for
--     `auth.role()`; `withUser` switches into `parley_user` instead of `authenticated`;
--   * the migrating role (`postgres` on Supabase, which is also the role the API connects as)
--     is a member, so `set role` works there; Supabase's `authenticator` (PostgREST's login) is
--     not, so no JWT can switch PostgREST into it;
--   * every write privilege `authenticated` holds on a table, view, sequence or column of
--     `public` moves to it (insert, update, delete, truncate, references, trigger), and so does
--     execute on every function but the two the Data API may call: `is_admin()` (its select
--     policies call it) and `read_share(text)` (the public path to a share link, by design).
--     Generic on purpose: tables and functions earlier migrations added are covered, and the
--     schema lint (`table the Data API may write`) keeps later ones from granting writes again.
-- What remains to `authenticated` through the Data API is reading its own rows under RLS.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'parley_user') then
    create role parley_user nologin inherit;
  end if;
end
$$;
--> statement-breakpoint
grant authenticated to parley_user;
--> statement-breakpoint
do $$
begin
  execute format('grant parley_user to %I', current_user);
end
$$;
--> statement-breakpoint
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'authenticator')
    and pg_has_role('authenticator', 'parley_user', 'member') then
    raise exception 'the Data API''s login role (authenticator) must not be a member of parley_user';
  end if;
end
$$;
--> statement-breakpoint
do $$
declare
  target record;
begin
  for target in
    select
      case c.relkind when 'S' then 'sequence' else 'table' end as kind,
      format('%I.%I', n.nspname, c.relname) as relation,
      acl.privilege_type as privilege
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    cross join lateral aclexplode(c.relacl) acl
    where n.nspname = 'public'
      and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
      and acl.grantee = 'authenticated'::regrole
      and acl.privilege_type <> 'SELECT'
      and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
  loop
    execute format('grant %s on %s %s to parley_user', target.privilege, target.kind, target.relation);
    execute format('revoke %s on %s %s from authenticated', target.privilege, target.kind, target.relation);
  end loop;

  for target in
    select
      format('%I.%I', n.nspname, c.relname) as relation,
      a.attname as column_name,
      acl.privilege_type as privilege
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    cross join lateral aclexplode(a.attacl) acl
    where n.nspname = 'public'
      and a.attnum > 0
      and not a.attisdropped
      and acl.grantee = 'authenticated'::regrole
      and acl.privilege_type <> 'SELECT'
  loop
    execute format('grant %s (%I) on table %s to parley_user',
      target.privilege, target.column_name, target.relation);
    execute format('revoke %s (%I) on table %s from authenticated',
      target.privilege, target.column_name, target.relation);
  end loop;
end
$$;
--> statement-breakpoint
-- Execute granted to PUBLIC (a function's default) reaches `authenticated` too, so it is revoked
-- from PUBLIC as well; `service_role` keeps what it had through it.
do $$
declare
  target record;
begin
  for target in
    select
      format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) as routine,
      has_function_privilege('service_role', p.oid, 'execute') as for_service
    from pg_proc p
    join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public'
      and p.prokind in ('f', 'p')
      and p.prorettype <> 'trigger'::regtype
      and n.nspname || '.' || p.proname not in ('public.is_admin', 'public.read_share')
      and has_function_privilege('authenticated', p.oid, 'execute')
      and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
  loop
    execute format('revoke execute on routine %s from public, authenticated', target.routine);
    execute format('grant execute on routine %s to parley_user', target.routine);
    if target.for_service then
      execute format('grant execute on routine %s to service_role', target.routine);
    end if;
  end loop;
end
$$;
--> statement-breakpoint
-- Older Supabase projects grant everything on new objects in `public` to anon and authenticated
-- by default (for objects the migrating role creates); later migrations grant what they mean.
alter default privileges in schema public
  revoke insert, update, delete, truncate, references, trigger on tables from anon, authenticated;
--> statement-breakpoint
alter default privileges in schema public revoke usage, update on sequences from anon, authenticated;
--> statement-breakpoint
alter default privileges in schema public revoke execute on routines from anon, authenticated;
