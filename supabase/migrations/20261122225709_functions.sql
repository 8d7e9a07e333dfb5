-- Admin checks read app_metadata, which only the auth server can write; user_metadata is user-editable and never read.
create or replace function public.is_admin()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce((auth.jwt() -> 'app_metadata' ->> 'role') = 'admin', false)
$$;
--> statement-breakpoint
comment on function public.is_admin() is 'True when the caller''s JWT has app_metadata.role = admin.';
--> statement-breakpoint
create or replace function public.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
