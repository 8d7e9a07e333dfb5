-- Spend budgets: a limit in USD per period (calendar month, ISO week or day, UTC) per user.
-- `budgets` holds a user's row: an admin's override (`overridden`), or just the row every
-- reservation locks, so that concurrent sends by one user (from any API process) serialise.
-- Spent is the usage ledger of the period (chat turns and titles alike); reserved is the worst
-- case of the turns still running. Users read their own rows; only admins change limits, and
-- only the functions below (pinned search_path) write reservations.
create table public.budgets (
  user_id uuid primary key not null references auth.users (id) on delete cascade,
  limit_micro_usd bigint,
  period text default 'monthly' not null,
  overridden boolean default false not null,
  updated_at timestamp (3) with time zone default now() not null,
  constraint budgets_limit_non_negative check (limit_micro_usd is null or limit_micro_usd >= 0),
  constraint budgets_period_valid check (period in ('monthly', 'weekly', 'daily'))
);
--> statement-breakpoint
alter table public.budgets enable row level security;
--> statement-breakpoint
create policy budgets_select_own_or_admin on public.budgets as permissive for select to authenticated
  using (user_id = (select auth.uid()) or (select public.is_admin()));
--> statement-breakpoint
create policy budgets_insert_admin on public.budgets as permissive for insert to authenticated
  with check ((select public.is_admin()));
--> statement-breakpoint
create policy budgets_update_admin on public.budgets as permissive for update to authenticated
  using ((select public.is_admin())) with check ((select public.is_admin()));
--> statement-breakpoint
revoke all on table public.budgets from anon, authenticated;
--> statement-breakpoint
grant select, insert, update on table public.budgets to authenticated;
--> statement-breakpoint
grant all on table public.budgets to service_role;
--> statement-breakpoint
create table public.budget_reservations (
  id uuid primary key default gen_random_uuid() not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  message_id uuid,
  amount_micro_usd bigint not null,
  created_at timestamp (3) with time zone default now() not null,
  constraint budget_reservations_amount_non_negative check (amount_micro_usd >= 0)
);
--> statement-breakpoint
create index budget_reservations_user_id_idx on public.budget_reservations using btree (user_id);
--> statement-breakpoint
create index budget_reservations_created_at_idx on public.budget_reservations using btree (created_at);
--> statement-breakpoint
alter table public.budget_reservations enable row level security;
--> statement-breakpoint
create policy budget_reservations_select_own_or_admin on public.budget_reservations as permissive
  for select to authenticated
  using (user_id = (select auth.uid()) or (select public.is_admin()));
--> statement-breakpoint
revoke all on table public.budget_reservations from anon, authenticated;
--> statement-breakpoint
grant select on table public.budget_reservations to authenticated;
--> statement-breakpoint
grant all on table public.budget_reservations to service_role;
--> statement-breakpoint
-- A user's budget now: the limit (null: unlimited) and period (the admin's override, else the
-- team default passed in), what the period's usage rows cost and what running turns reserve.
-- Security invoker: under RLS a user only ever sees their own.
create or replace function public.budget_state(p_user_id uuid, p jsonb)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  b public.budgets;
  lim bigint;
  per text;
  period_start timestamptz;
  period_end timestamptz;
  spent bigint;
  reserved bigint;
begin
  select * into b from public.budgets where user_id = p_user_id;
  if coalesce(b.overridden, false) then
    lim := b.limit_micro_usd;
    per := b.period;
  else
    lim := nullif(p ->> 'defaultLimitMicroUsd', '')::bigint;
    per := coalesce(nullif(p ->> 'defaultPeriod', ''), 'monthly');
  end if;
  period_start := date_trunc(
    case per when 'daily' then 'day' when 'weekly' then 'week' else 'month' end,
    now(), 'UTC');
  period_end := period_start
    + case per when 'daily' then interval '1 day' when 'weekly' then interval '7 days' else interval '1 month' end;
  select coalesce(sum(u.cost_micro_usd), 0) into spent from public.usage_events u
  where u.user_id = p_user_id and u.created_at >= period_start and u.created_at < period_end;
  select coalesce(sum(r.amount_micro_usd), 0) into reserved from public.budget_reservations r
  where r.user_id = p_user_id;
  return jsonb_build_object(
    'limitMicroUsd', lim, 'period', per, 'overridden', coalesce(b.overridden, false),
    'spentMicroUsd', spent, 'reservedMicroUsd', reserved,
    'periodStart', period_start, 'periodEnd', period_end
  );
end
$$;
--> statement-breakpoint
-- Reserves a turn's worst case for the caller in one statement, or refuses it: locks the caller's
-- budget row first, so two sends at once (in any process) see each other's reservation.
create or replace function public.reserve_budget(p jsonb)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  uid uuid := auth.uid();
  amount bigint := (p ->> 'amountMicroUsd')::bigint;
  state jsonb;
  lim bigint;
  reservation uuid;
begin
  if uid is null then
    raise exception 'a budget is reserved for a signed-in user' using errcode = '42501';
  end if;
  if amount is null or amount < 0 then
    raise exception 'amountMicroUsd must be a non-negative integer' using errcode = '22023';
  end if;
  insert into public.budgets (user_id) values (uid) on conflict (user_id) do nothing;
  perform 1 from public.budgets where user_id = uid for update;
  state := public.budget_state(uid, p);
  lim := (state ->> 'limitMicroUsd')::bigint;
  if lim is not null
    and (state ->> 'spentMicroUsd')::bigint + (state ->> 'reservedMicroUsd')::bigint + amount > lim then
    return state || jsonb_build_object('status', 'refused');
  end if;
  insert into public.budget_reservations (user_id, message_id, amount_micro_usd)
  values (uid, nullif(p ->> 'messageId', '')::uuid, amount)
  returning id into reservation;
  return state || jsonb_build_object('status', 'reserved', 'reservationId', reservation);
end
$$;
--> statement-breakpoint
comment on function public.reserve_budget(jsonb) is 'Reserves a chat turn''s worst-case cost against the caller''s budget under a row lock, or refuses it when spent + reserved + this would pass the limit.';
--> statement-breakpoint
-- Settles the caller's reservation: the turn's usage row, written in the same transaction, now
-- carries its actual cost.
create or replace function public.settle_budget(p_reservation_id uuid)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  -- Only once the turn's reply has ended: a user cannot free their reservations mid-turn.
  delete from public.budget_reservations r
  where r.id = p_reservation_id and r.user_id = (select auth.uid())
    and not exists (
      select 1 from public.messages m where m.id = r.message_id and m.status = 'streaming'
    );
$$;
--> statement-breakpoint
-- Releases reservations older than the bound (their turn ended without settling: a crash); the
-- usage rows those turns wrote already count as spent. Run by the server as the service role.
create or replace function public.sweep_budget_reservations(p_older_than_seconds integer)
returns integer
language sql
volatile
security invoker
set search_path = ''
as $$
  with swept as (
    delete from public.budget_reservations r
    where r.created_at < now() - make_interval(secs => p_older_than_seconds)
    returning 1
  )
  select count(*)::integer from swept;
$$;
--> statement-breakpoint
revoke all on function public.budget_state(uuid, jsonb), public.reserve_budget(jsonb),
  public.settle_budget(uuid), public.sweep_budget_reservations(integer) from public, anon;
--> statement-breakpoint
grant execute on function public.budget_state(uuid, jsonb), public.reserve_budget(jsonb),
  public.settle_budget(uuid) to authenticated, service_role;
--> statement-breakpoint
grant execute on function public.sweep_budget_reservations(integer) to service_role;
