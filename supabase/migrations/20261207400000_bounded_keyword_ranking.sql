-- Keyword retrieval and search rank a bounded candidate set instead of every match.
--
-- A question's words are OR-ed, so a broad question matches tens of thousands of passages or
-- messages, and ranking each one (re-tokenising every matching message, whose index is an
-- expression index) took seconds. Candidates now come in two tiers: first the rows holding all
-- of the question's words (few and precise), and only when those are fewer than wanted, the rows
-- holding some of them. Each tier ranks at most a small pool of its matches, so the work per
-- question is bounded whatever the number of matches. Phrases and exclusions apply in both tiers
-- as before, and row-level filtering (`auth.uid()`) comes before any limit, so a user still gets
-- a full top-k of their own rows.

-- The all-terms form of a keyword query: its OR-ed words AND-ed instead (phrases and exclusions
-- unchanged). Lexemes of the english configuration never contain spaces, so ' | ' in the text
-- form is always an operator.
create or replace function public.all_terms_query(query tsquery)
returns tsquery
language sql
immutable
parallel safe
set search_path = ''
as $$
  select replace(query::text, ' | ', ' & ')::tsquery
$$;
--> statement-breakpoint
-- One tier of `keyword_candidates`: at most `pool` of the caller's rows matching `query` (taken
-- from the full-text index in its order, without ranking), ranked for `ranked_by` (the whole
-- keyword query, so both tiers' ranks compare) by ts_rank_cd (weights
-- {D, C, B, A}: a word in a heading counts twice one in the text), the best `max_count`. Dynamic
-- SQL, so every call is planned for its query (a generic plan does not know how selective a
-- tsquery is and may scan). Called only by `keyword_candidates`, with its owner's rights.
create or replace function public.keyword_tier(
  source text,
  query tsquery,
  ranked_by tsquery,
  file_ids uuid[],
  max_count integer,
  pool integer
)
returns table (id uuid, rank real)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  matches text := case source
    when 'chunks' then $q$
      select c.id, c.search_vector as vector
      from public.document_chunks c
      where c.user_id = (select auth.uid())
        and c.search_vector @@ $1
        and ($2 is null or c.file_id = any ($2))
        and exists (
          select 1 from public.files f
          where f.id = c.file_id and f.user_id = c.user_id and f.status = 'ready'
        )
    $q$
    when 'messages' then $q$
      select m.id, to_tsvector('english'::regconfig, left(m.content, 100000)) as vector
      from public.messages m
      where m.user_id = (select auth.uid())
        and m.status <> 'streaming'
        and to_tsvector('english'::regconfig, left(m.content, 100000)) @@ $1
        and m.role in ('user', 'assistant')
    $q$
    when 'titles' then $q$
      select cv.id, to_tsvector('english'::regconfig, coalesce(cv.title, '')) as vector
      from public.conversations cv
      where cv.user_id = (select auth.uid())
        and cv.title is not null
        and to_tsvector('english'::regconfig, coalesce(cv.title, '')) @@ $1
    $q$
  end;
begin
  if matches is null then
    return;
  end if;
  return query execute format(
    $q$
      select t.id, ts_rank_cd('{0.5, 0.2, 0.4, 1.0}'::real[], t.vector, $5, 32) as rank
      from (%s limit $4) t
      order by 2 desc, 1
      limit $3
    $q$,
    matches
  ) using query, file_ids, max_count, pool, ranked_by;
end
$$;
--> statement-breakpoint
revoke all on function public.keyword_tier(text, tsquery, tsquery, uuid[], integer, integer)
  from public, anon, authenticated;
--> statement-breakpoint
-- The caller's rows matching a keyword query with their ts_rank_cd, at most `max_count` (null:
-- 100, so search pages through the best 100 of each kind), in no particular order (callers order
-- by rank): the rows holding all of the query's words, then, when those are fewer than wanted,
-- the best of the rows holding some of them. Each tier ranks at most max(`max_count`, 100) of its
-- matches. Security definer as before (reviewed; see the knowledge migration): it filters on
-- `auth.uid()` itself and returns only ids and ranks.
create or replace function public.keyword_candidates(
  source text,
  query tsquery,
  file_ids uuid[],
  max_count integer
)
returns table (id uuid, rank real)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  wanted integer := greatest(coalesce(max_count, 100), 0);
  all_terms tsquery := public.all_terms_query(query);
  pool integer := greatest(wanted, 100);
  found_count integer;
begin
  if query is null or wanted = 0 then
    return;
  end if;
  return query select t.id, t.rank
    from public.keyword_tier(source, all_terms, query, file_ids, wanted, pool) t;
  get diagnostics found_count = row_count;
  if found_count < wanted and all_terms::text <> query::text then
    return query select t.id, t.rank
      from public.keyword_tier(
        source, query && !!all_terms, query, file_ids, wanted - found_count, pool
      ) t;
  end if;
end
$$;
