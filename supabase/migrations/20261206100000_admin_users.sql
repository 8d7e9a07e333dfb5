-- Admins manage accounts: list and search them with their spend this period, give or take the
-- admin role (app_metadata.role, which only the auth server and these functions write), disable
-- and re-enable them (banned_until, as Supabase Auth does). A disabled account's tokens stop
-- working at the next request: `withUser` calls `ensure_account_active` in the same statement
-- that sets the claims, so the check costs no extra round trip.
create or replace function public.ensure_account_active(p_user_id uuid)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if p_user_id is not null and exists (
    select 1 from auth.users u
    where u.id = p_user_id and (u.banned_until > now() or u.deleted_at is not null)
  ) then
    raise exception 'this account is disabled' using errcode = 'PA401';
  end if;
end
$$;
--> statement-breakpoint
comment on function public.ensure_account_active(uuid) is 'Raises PA401 when the account is banned (disabled by an admin) or soft-deleted; run by the API as it sets a request''s claims.';
--> statement-breakpoint
-- Called by the connecting role before the transaction switches into the user's role.
revoke all on function public.ensure_account_active(uuid) from public, anon, authenticated;
--> statement-breakpoint
grant execute on function public.ensure_account_active(uuid) to service_role;
--> statement-breakpoint
-- Accounts newest first, `p_query` matched anywhere in the email, keyset-paged on
-- (created_at, id); or the one account `p_user_id`. Spend is the rollups' since the start of the
-- user's budget period (their admin-set period, else the team default in `p_defaults`). Only
-- admins get rows; anyone else gets none.
create or replace function public.admin_list_users(
  p_query text,
  p_user_id uuid,
  p_after_created timestamptz,
  p_after_id uuid,
  p_limit integer,
  p_defaults jsonb
)
returns table (
  id uuid,
  email text,
  created_at timestamptz,
  last_sign_in_at timestamptz,
  role text,
  banned_until timestamptz,
  spend_period text,
  spent_micro_usd bigint
)
language sql
stable
security definer
set search_path = ''
as $$
  select
    u.id,
    u.email::text,
    u.created_at,
    u.last_sign_in_at,
    case when u.raw_app_meta_data ->> 'role' = 'admin' then 'admin' else 'user' end,
    u.banned_until,
    per.period,
    coalesce((
      select sum(d.cost_micro_usd) from public.usage_daily d
      where d.user_id = u.id
        and d.day >= (date_trunc(
          case per.period when 'daily' then 'day' when 'weekly' then 'week' else 'month' end,
          now(), 'UTC') at time zone 'UTC')::date
    ), 0)::bigint
  from auth.users u
  cross join lateral (
    select coalesce(
      (select b.period from public.budgets b where b.user_id = u.id and b.overridden),
      nullif(p_defaults ->> 'defaultPeriod', ''),
      'monthly'
    ) as period
  ) per
  where (select public.is_admin())
    and u.deleted_at is null
    and (p_user_id is null or u.id = p_user_id)
    and (p_query is null or u.email ilike '%' || replace(replace(replace(
      p_query, '\', '\\'), '%', '\%'), '_', '\_') || '%')
    and (p_after_created is null or (u.created_at, u.id) < (p_after_created, p_after_id))
  order by u.created_at desc, u.id desc
  limit least(greatest(coalesce(p_limit, 50), 1), 101)
$$;
--> statement-breakpoint
comment on function public.admin_list_users(text, uuid, timestamptz, uuid, integer, jsonb) is 'Admins only (no rows for anyone else): accounts with role, status and spend this period, searched by email, newest first.';
--> statement-breakpoint
revoke all on function public.admin_list_users(text, uuid, timestamptz, uuid, integer, jsonb) from public, anon;
--> statement-breakpoint
grant execute on function public.admin_list_users(text, uuid, timestamptz, uuid, integer, jsonb) to authenticated, service_role;
--> statement-breakpoint
-- Embedded auth only (Supabase Auth owns its users there: the API uses its admin API). Sets or
-- removes the admin role and disables (bans, ending every session) or re-enables an account.
-- An admin may not demote or disable themselves, so a team always keeps an admin. False when
-- there is no such account.
create or replace function public.admin_update_user(p_user_id uuid, p_role text, p_disabled boolean)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if not public.is_admin() then
    raise exception 'this needs the admin role' using errcode = '42501';
  end if;
  if p_role is not null and p_role not in ('admin', 'user') then
    raise exception 'role must be admin or user' using errcode = '23514';
  end if;
  if p_user_id = auth.uid() and (p_role = 'user' or p_disabled) then
    raise exception 'an admin cannot remove their own admin role or disable themselves'
      using errcode = 'PA409';
  end if;
  update auth.users u set
    raw_app_meta_data = case p_role
      when 'admin' then u.raw_app_meta_data || '{"role": "admin"}'::jsonb
      when 'user' then u.raw_app_meta_data - 'role'
      else u.raw_app_meta_data end,
    -- As Supabase Auth's longest ban_duration: a date every client can parse, unlike infinity.
    banned_until = case
      when p_disabled then now() + interval '876000 hours'
      when p_disabled is not null then null
      else u.banned_until end,
    updated_at = now()
  where u.id = p_user_id and u.deleted_at is null;
  if not found then
    return false;
  end if;
  if p_disabled then
    delete from auth.sessions s where s.user_id = p_user_id;
  end if;
  return true;
end
$$;
--> statement-breakpoint
comment on function public.admin_update_user(uuid, text, boolean) is 'Admins only: sets or removes the admin role, disables (ending sessions) or re-enables an account; never the caller''s own role or access.';
--> statement-breakpoint
revoke all on function public.admin_update_user(uuid, text, boolean) from public, anon;
--> statement-breakpoint
grant execute on function public.admin_update_user(uuid, text, boolean) to authenticated, service_role;
