-- begin_turn walks a thread from the new message to the root, one parent per step. On a small or
-- never-analysed messages table (every embedded database: PGlite runs no autovacuum, and any new
-- deployment) the planner costs each step under row-level security as a sequential scan of the
-- caller's messages, so opening a turn grew with the square of its conversation's length
-- (40 turns of history: 13.5 ms of CPU on PGlite and 10.5 ms on Postgres 15, against 2.8 ms for
-- both with the walk by index). Every statement in the function has an index to use, so the
-- function runs with sequential scans priced out. A later `create or replace` of begin_turn must
-- repeat this setting (`set enable_seqscan = off`); the db test `turns.test.ts` checks it.
alter function public.begin_turn(jsonb) set enable_seqscan = off;
