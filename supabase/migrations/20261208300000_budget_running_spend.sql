-- A turn's budget check reads one row: the budget row keeps the spend of its period as a running
-- total (`spent_micro_usd`, valid for `spent_period` starting at `spent_since`), kept by the
-- roll-up trigger in the transaction that writes the ledger row. A reservation that finds the
-- total stale (a new period, another period kind, a bulk load) recomputes it from the daily
-- rollups once, under the row lock. Rows start stale: the first reservation fills them in.
alter table public.budgets
  add column spent_micro_usd bigint default 0 not null,
  add column spent_period text,
  add column spent_since timestamp with time zone;
--> statement-breakpoint
-- Reservations are settled by their reply: found by the user and the message.
create index budget_reservations_user_id_message_id_idx on public.budget_reservations
  using btree (user_id, message_id);
--> statement-breakpoint
-- The sweeper reads the few live reservations without an index; a turn no longer pays for it.
drop index public.budget_reservations_user_id_idx, public.budget_reservations_created_at_idx;
--> statement-breakpoint
-- Adds (p_sign 1) or takes back (p_sign -1) one ledger row in its user's running total. An
-- insert always takes the budget row's lock (creating the row), so that a reservation that
-- recomputes the total under that lock waits for it; a row outside the total's period adds 0.
create or replace function public.budget_spend_apply(u public.usage_events, p_sign integer)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if u.user_id is null then
    return;
  end if;
  if p_sign > 0 then
    update public.budgets b set spent_micro_usd = b.spent_micro_usd
      + case when b.spent_since is not null and u.created_at >= b.spent_since
        then u.cost_micro_usd else 0 end
    where b.user_id = u.user_id;
    if not found then
      insert into public.budgets as b (user_id) values (u.user_id)
      on conflict (user_id) do update set spent_micro_usd = b.spent_micro_usd
        + case when b.spent_since is not null and u.created_at >= b.spent_since
          then u.cost_micro_usd else 0 end;
    end if;
    return;
  end if;
  update public.budgets b set spent_micro_usd = b.spent_micro_usd - u.cost_micro_usd
  where b.user_id = u.user_id and b.spent_since is not null and u.created_at >= b.spent_since;
end
$$;
--> statement-breakpoint
-- As in 20261205180000_usage_rollups, and the budget's running total too.
create or replace function public.usage_roll_up()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then
    perform public.usage_rollup_apply(old, -1);
    perform public.budget_spend_apply(old, -1);
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    perform public.usage_rollup_apply(new, 1);
    perform public.budget_spend_apply(new, 1);
    return new;
  end if;
  return old;
end
$$;
--> statement-breakpoint
revoke all on function public.budget_spend_apply(public.usage_events, integer)
from public, anon, authenticated;
--> statement-breakpoint
-- Reserves a turn's worst case for the caller in one statement, or refuses it, reading one
-- budget row (locked: two sends at once, in any process, see each other's reservation) and the
-- caller's live reservations. The answer is as before.
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
  b public.budgets;
  lim bigint;
  per text;
  since timestamptz;
  reserved bigint;
  reservation uuid;
begin
  if uid is null then
    raise exception 'a budget is reserved for a signed-in user' using errcode = '42501';
  end if;
  if amount is null or amount < 0 then
    raise exception 'amountMicroUsd must be a non-negative integer' using errcode = '22023';
  end if;
  select * into b from public.budgets where user_id = uid for update;
  if not found then
    insert into public.budgets (user_id) values (uid) on conflict (user_id) do nothing;
    select * into b from public.budgets where user_id = uid for update;
  end if;
  if b.overridden then
    lim := b.limit_micro_usd;
    per := b.period;
  else
    lim := nullif(p ->> 'defaultLimitMicroUsd', '')::bigint;
    per := coalesce(nullif(p ->> 'defaultPeriod', ''), 'monthly');
  end if;
  since := date_trunc(
    case per when 'daily' then 'day' when 'weekly' then 'week' else 'month' end, now(), 'UTC');
  if b.spent_since is distinct from since or b.spent_period is distinct from per then
    -- A statement of its own: its snapshot is taken under the lock, after any ledger write
    -- that held it.
    select coalesce(sum(d.cost_micro_usd), 0)::bigint into b.spent_micro_usd
    from public.usage_daily d
    where d.user_id = uid
      and d.day >= (since at time zone 'UTC')::date
      and d.day < ((since + case per when 'daily' then interval '1 day'
        when 'weekly' then interval '7 days' else interval '1 month' end) at time zone 'UTC')::date;
    update public.budgets set spent_micro_usd = b.spent_micro_usd, spent_period = per,
      spent_since = since
    where user_id = uid;
  end if;
  select coalesce(sum(r.amount_micro_usd), 0)::bigint into reserved
  from public.budget_reservations r where r.user_id = uid;
  if lim is not null and b.spent_micro_usd + reserved + amount > lim then
    return jsonb_build_object(
      'status', 'refused', 'limitMicroUsd', lim, 'period', per, 'overridden', b.overridden,
      'spentMicroUsd', b.spent_micro_usd, 'reservedMicroUsd', reserved, 'periodStart', since,
      'periodEnd', since + case per when 'daily' then interval '1 day'
        when 'weekly' then interval '7 days' else interval '1 month' end
    );
  end if;
  insert into public.budget_reservations (user_id, message_id, amount_micro_usd)
  values (uid, nullif(p ->> 'messageId', '')::uuid, amount)
  returning id into reservation;
  return jsonb_build_object(
    'status', 'reserved', 'reservationId', reservation, 'limitMicroUsd', lim, 'period', per,
    'overridden', b.overridden, 'spentMicroUsd', b.spent_micro_usd, 'reservedMicroUsd', reserved,
    'periodStart', since,
    'periodEnd', since + case per when 'daily' then interval '1 day'
      when 'weekly' then interval '7 days' else interval '1 month' end
  );
end
$$;
--> statement-breakpoint
comment on function public.reserve_budget(jsonb) is 'Reserves a chat turn''s worst-case cost against the caller''s budget under a row lock, or refuses it when spent + reserved + this would pass the limit.';
--> statement-breakpoint
-- Releases every reservation the caller holds for a reply, once it has ended: settle_turn calls
-- it in the transaction that records the reply's usage.
create or replace function public.settle_reply_budget(p_message_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  -- PL/pgSQL: the plan is kept for the session, where a SQL function would plan every call.
  delete from public.budget_reservations r
  where r.user_id = auth.uid() and r.message_id = p_message_id
    and not exists (
      select 1 from public.messages m where m.id = p_message_id and m.status = 'streaming'
    );
end
$$;
--> statement-breakpoint
revoke all on function public.settle_reply_budget(uuid) from public, anon, authenticated;
--> statement-breakpoint
grant execute on function public.settle_reply_budget(uuid) to parley_user, service_role;
--> statement-breakpoint
-- As in 20261205140000_budgets (a title's reservation, by its id), in PL/pgSQL for the same reason.
create or replace function public.settle_budget(p_reservation_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  delete from public.budget_reservations r
  where r.id = p_reservation_id and r.user_id = auth.uid()
    and not exists (
      select 1 from public.messages m where m.id = r.message_id and m.status = 'streaming'
    );
end
$$;
--> statement-breakpoint
-- As in 20261204190000_turn_phases, and with `settleBudget` the reply's budget reservations are
-- released in the same round trip (the usage row now carries what the turn cost).
create or replace function public.settle_turn(p jsonb)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  reply public.messages;
  conv public.conversations;
  r public.messages := jsonb_populate_record(null::public.messages, p -> 'reply');
  u public.usage_events := jsonb_populate_record(null::public.usage_events, p -> 'usage');
begin
  update public.messages m set
    content = r.content, status = r.status, model = r.model, provider = r.provider,
    input_tokens = r.input_tokens, output_tokens = r.output_tokens,
    cached_input_tokens = r.cached_input_tokens, token_count = r.token_count,
    cost_micro_usd = r.cost_micro_usd, ttft_ms = r.ttft_ms, latency_ms = r.latency_ms,
    error = r.error, metadata = r.metadata
  where m.id = (p ->> 'messageId')::uuid
  returning m.* into reply;
  -- The conversation may have been deleted while the reply streamed; the spend is still recorded.
  insert into public.usage_events (
    conversation_id, message_id, request_id, provider, model, prompt_name, prompt_version,
    input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_micro_usd,
    ttft_ms, latency_ms, status, error_code, attempts, fallback_from
  ) values (
    case when reply.id is null then null else reply.conversation_id end,
    reply.id, u.request_id, u.provider, u.model, u.prompt_name, u.prompt_version,
    u.input_tokens, u.output_tokens, u.cached_input_tokens, u.reasoning_tokens, u.cost_micro_usd,
    u.ttft_ms, u.latency_ms, u.status, u.error_code, u.attempts, u.fallback_from
  );
  if reply.id is not null then
    update public.conversations c set
      input_tokens = c.input_tokens + u.input_tokens,
      output_tokens = c.output_tokens + u.output_tokens,
      cost_micro_usd = c.cost_micro_usd + u.cost_micro_usd,
      last_message_at = now()
    where c.id = reply.conversation_id
    returning c.* into conv;
  end if;
  if (p ->> 'settleBudget')::boolean then
    perform public.settle_reply_budget((p ->> 'messageId')::uuid);
  end if;
  return jsonb_build_object(
    'assistantMessage', case when reply.id is null then null else to_jsonb(reply) end,
    'conversation', case when conv.id is null then null else to_jsonb(conv) end
  );
end
$$;
--> statement-breakpoint
comment on function public.settle_turn(jsonb) is 'Records a chat turn''s outcome in one round trip: the reply, a usage event, the conversation''s totals and (with settleBudget) the release of the reply''s budget reservations.';
--> statement-breakpoint
-- As in 20261207200000_budget_spent_from_rollups, and every budget's running total is marked stale
-- (the next reservation recomputes it from the rebuilt rollups).
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
  update public.budgets set spent_since = null where spent_since is not null;
$$;
--> statement-breakpoint
revoke all on function public.usage_rollups_rebuild() from public, anon, authenticated, service_role;
