-- quota_limit without a search_path of its own, so that the planner inlines it into the
-- functions that call it. A function with a SET clause is never inlined, and every call saves
-- and restores the setting: a chat turn calls it eight times or more, from the triggers that count
-- messages and stored bytes (count_message, charge_profile). Opening a turn (begin_turn, measured
-- alone on Postgres 15, four alternating rounds of 2,000) went from 0.78-0.84 to 0.66-0.75 ms.
-- Its body names only pg_catalog's functions, casts and jsonb operator, which its callers
-- resolve there: they are security definer functions that fix their own search_path to '' (so
-- pg_catalog is searched first), and no user role may call it (quotas migration).
alter function public.quota_limit(text) reset search_path;
