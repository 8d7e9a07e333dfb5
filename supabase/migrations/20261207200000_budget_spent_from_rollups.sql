-- Spent in a budget period comes from the daily rollups, not the ledger: a period starts and
-- ends on UTC midnights, so the rollup days inside it hold exactly the period's usage rows,
-- and a reservation reads a few rollup rows instead of every usage row of a heavy month. The
-- rollups are written by the trigger in the transaction that writes the ledger row, so a
-- reservation sees a settled turn's usage row and its rollup together, or neither.
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
  select coalesce(sum(d.cost_micro_usd), 0) into spent from public.usage_daily d
  where d.user_id = p_user_id
    and d.day >= (period_start at time zone 'UTC')::date
    and d.day < (period_end at time zone 'UTC')::date;
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
-- Reserves as before, one statement fewer for a user who has a budget row already.
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
  -- The row exists after a user's first turn: lock it in one statement, create it only once.
  perform 1 from public.budgets where user_id = uid for update;
  if not found then
    insert into public.budgets (user_id) values (uid) on conflict (user_id) do nothing;
    perform 1 from public.budgets where user_id = uid for update;
  end if;
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
-- Rebuilds both rollups from the ledger in one pass each: after a bulk load that ran with the
-- roll-up trigger disabled (a restore, an import). Run by the schema owner only.
create or replace function public.usage_rollups_rebuild()
returns void
language sql
volatile
set search_path = ''
as $$
  delete from public.usage_daily;
  delete from public.usage_daily_conversations;
  insert into public.usage_daily (
    user_id, day, model, provider, requests, input_tokens, output_tokens, cached_input_tokens,
    cost_micro_usd, errors, ttft_count, ttft_sum_ms, latency_count, latency_sum_ms, ttft_histogram
  )
  select
    e.user_id, e.day, e.model, e.provider, count(*),
    sum(e.input_tokens), sum(e.output_tokens), sum(e.cached_input_tokens), sum(e.cost_micro_usd),
    count(*) filter (where e.status = 'error'),
    count(e.ttft_ms), coalesce(sum(e.ttft_ms), 0), count(e.latency_ms), coalesce(sum(e.latency_ms), 0),
    array[
      count(*) filter (where e.bucket = 1),
      count(*) filter (where e.bucket = 2),
      count(*) filter (where e.bucket = 3),
      count(*) filter (where e.bucket = 4),
      count(*) filter (where e.bucket = 5),
      count(*) filter (where e.bucket = 6),
      count(*) filter (where e.bucket = 7),
      count(*) filter (where e.bucket = 8),
      count(*) filter (where e.bucket = 9),
      count(*) filter (where e.bucket = 10),
      count(*) filter (where e.bucket = 11),
      count(*) filter (where e.bucket = 12)
    ]
  from (
    select u.*, (u.created_at at time zone 'UTC')::date as day,
      public.usage_ttft_bucket(u.ttft_ms) as bucket
    from public.usage_events u
    where u.user_id is not null
  ) e
  group by e.user_id, e.day, e.model, e.provider;
  insert into public.usage_daily_conversations (
    conversation_id, day, user_id, requests, input_tokens, output_tokens, cached_input_tokens,
    cost_micro_usd, errors, ttft_count, ttft_sum_ms, latency_count, latency_sum_ms
  )
  select
    e.conversation_id, (e.created_at at time zone 'UTC')::date, min(e.user_id::text)::uuid, count(*),
    sum(e.input_tokens), sum(e.output_tokens), sum(e.cached_input_tokens), sum(e.cost_micro_usd),
    count(*) filter (where e.status = 'error'),
    count(e.ttft_ms), coalesce(sum(e.ttft_ms), 0), count(e.latency_ms), coalesce(sum(e.latency_ms), 0)
  from public.usage_events e
  where e.user_id is not null and e.conversation_id is not null
  group by e.conversation_id, (e.created_at at time zone 'UTC')::date;
$$;
--> statement-breakpoint
revoke all on function public.usage_rollups_rebuild() from public, anon, authenticated, service_role;
