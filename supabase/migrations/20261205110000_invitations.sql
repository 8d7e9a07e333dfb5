-- Invitations to sign up when the embedded auth runs with PARLEY_SIGNUP=invite. Only admins see
-- or make them (RLS through is_admin()); the token itself is never stored, only its SHA-256.
-- The auth server consumes an invitation at sign-up, as the service role.
create table public.invitations (
  id uuid primary key default gen_random_uuid() not null,
  email text not null,
  token_hash text not null,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  expires_at timestamp (3) with time zone not null,
  used_at timestamp (3) with time zone,
  used_by uuid references auth.users (id) on delete set null,
  created_at timestamp (3) with time zone default now() not null,
  constraint invitations_email_normalised check (email = lower(btrim(email)) and char_length(email) <= 255),
  constraint invitations_token_hash_format check (token_hash ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
create unique index invitations_token_hash_idx on public.invitations using btree (token_hash);
--> statement-breakpoint
alter table public.invitations enable row level security;
--> statement-breakpoint
create policy invitations_select_admin on public.invitations as permissive for select to authenticated
  using ((select public.is_admin()));
--> statement-breakpoint
create policy invitations_insert_admin on public.invitations as permissive for insert to authenticated
  with check ((select public.is_admin()) and created_by = (select auth.uid()));
--> statement-breakpoint
create policy invitations_delete_admin on public.invitations as permissive for delete to authenticated
  using ((select public.is_admin()));
--> statement-breakpoint
revoke all on table public.invitations from anon, authenticated;
--> statement-breakpoint
grant select, insert, delete on table public.invitations to authenticated;
--> statement-breakpoint
grant all on table public.invitations to service_role;
