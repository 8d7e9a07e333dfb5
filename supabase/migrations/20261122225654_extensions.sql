-- Extensions live in their own schema, as on Supabase.
create schema if not exists extensions;
--> statement-breakpoint
grant usage on schema extensions to anon, authenticated, service_role;
--> statement-breakpoint
create extension if not exists pgcrypto with schema extensions;
--> statement-breakpoint
-- pgvector backs document search. Supabase and the embedded database always have it; a plain
-- Postgres may not, and then this says exactly what to install instead of failing later.
do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'vector') then
    create extension if not exists vector with schema extensions;
  else
    raise warning using
      message = 'pgvector is not installed on this Postgres server; document search will be unavailable',
      hint = 'Install the pgvector package for this server (for example postgresql-17-pgvector from apt.postgresql.org), use Supabase, or use the embedded database.';
  end if;
end
$$;
