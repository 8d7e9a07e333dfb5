-- Usage a person can read without scanning the ledger: daily rollups of usage_events per user,
-- model and provider (with a coarse TTFT histogram for percentiles), and per conversation.
-- A trigger on usage_events keeps them in the transaction that writes (or corrects) the ledger
-- row, so every path that records a model call (chat turns, titles) counts. Rows of a deleted
-- user or conversation leave the rollups with them, exactly as the ledger rows lose that
-- reference. Users read their own rollup rows, admins all; nobody writes them but the trigger.
create table public.usage_daily (
  user_id uuid not null references auth.users (id) on delete cascade,
  day date not null,
  model text not null,
  provider text not null,
  requests bigint default 0 not null,
  input_tokens bigint default 0 not null,
  output_tokens bigint default 0 not null,
  cached_input_tokens bigint default 0 not null,
  cost_micro_usd bigint default 0 not null,
  errors bigint default 0 not null,
  ttft_count bigint default 0 not null,
  ttft_sum_ms bigint default 0 not null,
  latency_count bigint default 0 not null,
  latency_sum_ms bigint default 0 not null,
  -- Calls per TTFT bucket; upper bounds (ms, exclusive) in public.usage_ttft_bucket.
  ttft_histogram bigint[] default array_fill(0::bigint, array[12]) not null,
  constraint usage_daily_pkey primary key (user_id, day, model, provider),
  constraint usage_daily_histogram_size check (cardinality(ttft_histogram) = 12)
);
--> statement-breakpoint
create index usage_daily_day_idx on public.usage_daily using btree (day);
--> statement-breakpoint
create table public.usage_daily_conversations (
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  day date not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  requests bigint default 0 not null,
  input_tokens bigint default 0 not null,
  output_tokens bigint default 0 not null,
  cached_input_tokens bigint default 0 not null,
  cost_micro_usd bigint default 0 not null,
  errors bigint default 0 not null,
  ttft_count bigint default 0 not null,
  ttft_sum_ms bigint default 0 not null,
  latency_count bigint default 0 not null,
  latency_sum_ms bigint default 0 not null,
  constraint usage_daily_conversations_pkey primary key (conversation_id, day)
);
--> statement-breakpoint
create index usage_daily_conversations_user_id_day_idx on public.usage_daily_conversations
  using btree (user_id, day);
--> statement-breakpoint
alter table public.usage_daily enable row level security;
--> statement-breakpoint
alter table public.usage_daily_conversations enable row level security;
--> statement-breakpoint
create policy usage_daily_select_own_or_admin on public.usage_daily as permissive
  for select to authenticated
  using (user_id = (select auth.uid()) or (select public.is_admin()));
--> statement-breakpoint
create policy usage_daily_conversations_select_own_or_admin on public.usage_daily_conversations
  as permissive for select to authenticated
  using (user_id = (select auth.uid()) or (select public.is_admin()));
--> statement-breakpoint
revoke all on table public.usage_daily, public.usage_daily_conversations from anon, authenticated;
--> statement-breakpoint
grant select on table public.usage_daily, public.usage_daily_conversations to authenticated;
--> statement-breakpoint
grant all on table public.usage_daily, public.usage_daily_conversations to service_role;
--> statement-breakpoint
-- The histogram bucket (1..12) of a TTFT; upper bounds 100, 200, 300, 500, 750, 1000, 1500,
-- 2000, 3000, 5000, 10000 ms, the last bucket open-ended. Null when there was no first token.
create or replace function public.usage_ttft_bucket(ms integer)
returns integer
language sql
immutable
set search_path = ''
as $$
  select case when ms is null then null else 1 + (
    select count(*)::integer
    from unnest(array[100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000]) as b (bound)
    where ms >= b.bound
  ) end
$$;
--> statement-breakpoint
-- Adds (p_sign 1) or takes back (p_sign -1) one ledger row in the rollups. Taking back never
-- creates a row: the user's or conversation's rows may be going away with them.
create or replace function public.usage_rollup_apply(u public.usage_events, p_sign integer)
returns void
language plpgsql
set search_path = ''
as $$
declare
  u_day date := (u.created_at at time zone 'UTC')::date;
  is_error bigint := case when u.status = 'error' then 1 else 0 end;
  has_ttft bigint := case when u.ttft_ms is null then 0 else 1 end;
  has_latency bigint := case when u.latency_ms is null then 0 else 1 end;
  bucket integer := public.usage_ttft_bucket(u.ttft_ms);
  histogram bigint[] := array_fill(0::bigint, array[12]);
begin
  if u.user_id is null then
    return;
  end if;
  if bucket is not null then
    histogram[bucket] := p_sign;
  end if;
  if p_sign > 0 then
    insert into public.usage_daily as d (
      user_id, day, model, provider, requests, input_tokens, output_tokens, cached_input_tokens,
      cost_micro_usd, errors, ttft_count, ttft_sum_ms, latency_count, latency_sum_ms, ttft_histogram
    ) values (
      u.user_id, u_day, u.model, u.provider, 1, u.input_tokens, u.output_tokens, u.cached_input_tokens,
      u.cost_micro_usd, is_error, has_ttft, coalesce(u.ttft_ms, 0), has_latency,
      coalesce(u.latency_ms, 0), histogram
    )
    on conflict (user_id, day, model, provider) do update set
      requests = d.requests + 1,
      input_tokens = d.input_tokens + excluded.input_tokens,
      output_tokens = d.output_tokens + excluded.output_tokens,
      cached_input_tokens = d.cached_input_tokens + excluded.cached_input_tokens,
      cost_micro_usd = d.cost_micro_usd + excluded.cost_micro_usd,
      errors = d.errors + excluded.errors,
      ttft_count = d.ttft_count + excluded.ttft_count,
      ttft_sum_ms = d.ttft_sum_ms + excluded.ttft_sum_ms,
      latency_count = d.latency_count + excluded.latency_count,
      latency_sum_ms = d.latency_sum_ms + excluded.latency_sum_ms,
      ttft_histogram = array(
        select h.a + h.b from unnest(d.ttft_histogram, excluded.ttft_histogram) with ordinality as h (a, b, i)
        order by h.i
      );
    if u.conversation_id is not null then
      insert into public.usage_daily_conversations as c (
        conversation_id, day, user_id, requests, input_tokens, output_tokens, cached_input_tokens,
        cost_micro_usd, errors, ttft_count, ttft_sum_ms, latency_count, latency_sum_ms
      ) values (
        u.conversation_id, u_day, u.user_id, 1, u.input_tokens, u.output_tokens, u.cached_input_tokens,
        u.cost_micro_usd, is_error, has_ttft, coalesce(u.ttft_ms, 0), has_latency,
        coalesce(u.latency_ms, 0)
      )
      on conflict (conversation_id, day) do update set
        requests = c.requests + 1,
        input_tokens = c.input_tokens + excluded.input_tokens,
        output_tokens = c.output_tokens + excluded.output_tokens,
        cached_input_tokens = c.cached_input_tokens + excluded.cached_input_tokens,
        cost_micro_usd = c.cost_micro_usd + excluded.cost_micro_usd,
        errors = c.errors + excluded.errors,
        ttft_count = c.ttft_count + excluded.ttft_count,
        ttft_sum_ms = c.ttft_sum_ms + excluded.ttft_sum_ms,
        latency_count = c.latency_count + excluded.latency_count,
        latency_sum_ms = c.latency_sum_ms + excluded.latency_sum_ms;
    end if;
    return;
  end if;

  update public.usage_daily d set
    requests = d.requests - 1,
    input_tokens = d.input_tokens - u.input_tokens,
    output_tokens = d.output_tokens - u.output_tokens,
    cached_input_tokens = d.cached_input_tokens - u.cached_input_tokens,
    cost_micro_usd = d.cost_micro_usd - u.cost_micro_usd,
    errors = d.errors - is_error,
    ttft_count = d.ttft_count - has_ttft,
    ttft_sum_ms = d.ttft_sum_ms - coalesce(u.ttft_ms, 0),
    latency_count = d.latency_count - has_latency,
    latency_sum_ms = d.latency_sum_ms - coalesce(u.latency_ms, 0),
    ttft_histogram = array(
      select h.a + h.b from unnest(d.ttft_histogram, histogram) with ordinality as h (a, b, i)
      order by h.i
    )
  where d.user_id = u.user_id and d.day = u_day
    and d.model = u.model and d.provider = u.provider;
  delete from public.usage_daily d
  where d.user_id = u.user_id and d.day = u_day
    and d.model = u.model and d.provider = u.provider and d.requests <= 0;
  if u.conversation_id is not null then
    update public.usage_daily_conversations c set
      requests = c.requests - 1,
      input_tokens = c.input_tokens - u.input_tokens,
      output_tokens = c.output_tokens - u.output_tokens,
      cached_input_tokens = c.cached_input_tokens - u.cached_input_tokens,
      cost_micro_usd = c.cost_micro_usd - u.cost_micro_usd,
      errors = c.errors - is_error,
      ttft_count = c.ttft_count - has_ttft,
      ttft_sum_ms = c.ttft_sum_ms - coalesce(u.ttft_ms, 0),
      latency_count = c.latency_count - has_latency,
      latency_sum_ms = c.latency_sum_ms - coalesce(u.latency_ms, 0)
    where c.conversation_id = u.conversation_id and c.day = u_day;
    delete from public.usage_daily_conversations c
    where c.conversation_id = u.conversation_id and c.day = u_day
      and c.requests <= 0;
  end if;
end
$$;
--> statement-breakpoint
-- Definer rights: users write ledger rows but never the rollups themselves.
create or replace function public.usage_roll_up()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then
    perform public.usage_rollup_apply(old, -1);
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    perform public.usage_rollup_apply(new, 1);
    return new;
  end if;
  return old;
end
$$;
--> statement-breakpoint
revoke all on function public.usage_ttft_bucket(integer),
  public.usage_rollup_apply(public.usage_events, integer), public.usage_roll_up()
from public, anon, authenticated;
--> statement-breakpoint
create or replace trigger usage_events_roll_up after insert or update or delete on public.usage_events
  for each row execute function public.usage_roll_up();
--> statement-breakpoint
-- The ledger so far, in one pass per rollup.
insert into public.usage_daily (
  user_id, day, model, provider, requests, input_tokens, output_tokens, cached_input_tokens,
  cost_micro_usd, errors, ttft_count, ttft_sum_ms, latency_count, latency_sum_ms, ttft_histogram
)
select
  e.user_id, (e.created_at at time zone 'UTC')::date, e.model, e.provider, count(*),
  sum(e.input_tokens), sum(e.output_tokens), sum(e.cached_input_tokens), sum(e.cost_micro_usd),
  count(*) filter (where e.status = 'error'),
  count(e.ttft_ms), coalesce(sum(e.ttft_ms), 0), count(e.latency_ms), coalesce(sum(e.latency_ms), 0),
  array[
    count(*) filter (where public.usage_ttft_bucket(e.ttft_ms) = 1),
    count(*) filter (where public.usage_ttft_bucket(e.ttft_ms) = 2),
    count(*) filter (where public.usage_ttft_bucket(e.ttft_ms) = 3),
    count(*) filter (where public.usage_ttft_bucket(e.ttft_ms) = 4),
    count(*) filter (where public.usage_ttft_bucket(e.ttft_ms) = 5),
    count(*) filter (where public.usage_ttft_bucket(e.ttft_ms) = 6),
    count(*) filter (where public.usage_ttft_bucket(e.ttft_ms) = 7),
    count(*) filter (where public.usage_ttft_bucket(e.ttft_ms) = 8),
    count(*) filter (where public.usage_ttft_bucket(e.ttft_ms) = 9),
    count(*) filter (where public.usage_ttft_bucket(e.ttft_ms) = 10),
    count(*) filter (where public.usage_ttft_bucket(e.ttft_ms) = 11),
    count(*) filter (where public.usage_ttft_bucket(e.ttft_ms) = 12)
  ]
from public.usage_events e
where e.user_id is not null
group by e.user_id, (e.created_at at time zone 'UTC')::date, e.model, e.provider;
--> statement-breakpoint
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
