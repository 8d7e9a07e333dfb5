-- Rate limits shared by every API instance on this database. The counters live in a schema the
-- API roles cannot see (not exposed by PostgREST, no grants to anon or authenticated); the API
-- server reaches them as the connecting user, one statement per check, through the functions
-- below. Unlogged: a crash forgets the counters, which is harmless for limits of a minute.
create schema if not exists parley_private;
--> statement-breakpoint
revoke all on schema parley_private from public, anon, authenticated;
--> statement-breakpoint
-- One row per key: a fixed window (hits since window_start, which ends at until), or a run of
-- failed sign-ins (hits failures in a row, the next attempt allowed from until).
create unlogged table parley_private.rate_counters (
  key text primary key,
  window_start timestamp (3) with time zone not null,
  hits integer not null,
  until timestamp (3) with time zone not null
);
--> statement-breakpoint
create index rate_counters_until_idx on parley_private.rate_counters using btree (until);
--> statement-breakpoint
-- Live streaming replies with an expiry the holder renews: a crashed instance's rows lapse.
create unlogged table parley_private.live_streams (
  id uuid primary key,
  user_id uuid not null,
  expires_at timestamp (3) with time zone not null
);
--> statement-breakpoint
create index live_streams_user_idx on parley_private.live_streams using btree (user_id, expires_at);
--> statement-breakpoint
-- Counts one hit of key in its fixed window of window_seconds starting at its first hit.
create function parley_private.rate_hit(p_key text, p_window_seconds integer, p_at timestamptz)
returns table (hits integer, until timestamptz)
language sql
set search_path = ''
as $$
  insert into parley_private.rate_counters as r (key, window_start, hits, until)
  values (p_key, p_at, 1, p_at + make_interval(secs => p_window_seconds))
  on conflict (key) do update set
    window_start = case when r.until <= p_at then p_at else r.window_start end,
    hits = case when r.until <= p_at then 1 else r.hits + 1 end,
    until = case when r.until <= p_at then p_at + make_interval(secs => p_window_seconds) else r.until end
  returning r.hits, r.until
$$;
--> statement-breakpoint
-- The wait after the nth failure in a row: none for the first p_free, then 1 s, 2 s, 4 s, ...
-- up to p_max_seconds.
create function parley_private.rate_delay(p_hits integer, p_free integer, p_max_seconds integer)
returns interval
language sql
immutable
set search_path = ''
as $$
  select make_interval(secs => case when p_hits <= p_free then 0
    else least(p_max_seconds::double precision, power(2, least(p_hits - p_free - 1, 30))) end)
$$;
--> statement-breakpoint
-- Records a failure for key; until is when the next attempt is allowed. A key quiet for
-- p_forget_seconds starts over.
create function parley_private.rate_fail(
  p_key text, p_at timestamptz, p_free integer, p_max_seconds integer, p_forget_seconds integer
)
returns table (hits integer, until timestamptz)
language sql
set search_path = ''
as $$
  insert into parley_private.rate_counters as r (key, window_start, hits, until)
  values (p_key, p_at, 1, p_at + parley_private.rate_delay(1, p_free, p_max_seconds))
  on conflict (key) do update set
    window_start = p_at,
    hits = case when r.window_start + make_interval(secs => p_forget_seconds) <= p_at then 1
      else r.hits + 1 end,
    until = p_at + parley_private.rate_delay(
      case when r.window_start + make_interval(secs => p_forget_seconds) <= p_at then 1
        else r.hits + 1 end,
      p_free, p_max_seconds)
  returning r.hits, r.until
$$;
--> statement-breakpoint
-- Forgets old counters (run now and then by any instance).
create function parley_private.rate_sweep(p_before timestamptz)
returns integer
language sql
set search_path = ''
as $$
  with gone as (
    delete from parley_private.rate_counters where until < p_before returning 1
  ), lapsed as (
    delete from parley_private.live_streams where expires_at < p_before returning 1
  )
  select ((select count(*) from gone) + (select count(*) from lapsed))::integer
$$;
--> statement-breakpoint
-- Takes one of p_max stream slots for the user, or returns when the oldest live one lapses.
-- The advisory lock orders concurrent takers for the same user across instances.
create function parley_private.stream_take(
  p_id uuid, p_user uuid, p_max integer, p_at timestamptz, p_ttl_seconds integer
)
returns timestamptz
language plpgsql
set search_path = ''
as $$
declare
  live integer;
begin
  perform pg_advisory_xact_lock(hashtextextended('parley.streams:' || p_user::text, 0));
  delete from parley_private.live_streams where user_id = p_user and expires_at <= p_at;
  select count(*) into live from parley_private.live_streams where user_id = p_user;
  if live >= p_max then
    return (select min(expires_at) from parley_private.live_streams where user_id = p_user);
  end if;
  insert into parley_private.live_streams (id, user_id, expires_at)
  values (p_id, p_user, p_at + make_interval(secs => p_ttl_seconds));
  return null;
end
$$;
--> statement-breakpoint
revoke all on all tables in schema parley_private from public, anon, authenticated, service_role;
--> statement-breakpoint
revoke all on all functions in schema parley_private from public, anon, authenticated, service_role;
