-- A question's second keyword tier (rows holding some of its words) is drawn through its
-- uncommon words when its common ones would make the index scan large, and over a small
-- collection of passages it ranks every partial match.
--
-- A full-text index answers an OR by reading the whole posting list of every word, so the cost of
-- the second tier grows with the commonest word's matches in the whole table (every user's rows):
-- over a million messages, "const" alone is in a fifth of them, and reading its list took most of
-- a search. Rows that match only such words are also the least useful (ts_rank_cd does not weigh
-- a word by its rarity, and beyond its pool the tier ranks only the first rows the scan meets).
-- So, as a search engine's "common terms" cut-off does, the second tier now takes its candidates
-- from the rows holding at least one of the question's uncommon words, found through the index,
-- and keeps only those that match the whole query (phrases, exclusions) as before. Which words
-- are common comes from the planner's statistics (ANALYZE's most common lexemes of the passages'
-- column or of the message and title indexes): without statistics, on a table of at most
-- `keyword_scan_budget()` entries, or when all the words' matches fit the budget together, the
-- tier is not narrowed. When the narrowed tier finds nothing at all (and the first found nothing
-- either), the whole second tier runs, so a question that matches something still finds it.
--
-- The bounded ranking (20261207400000) also cost retrieval quality, unnoticed until now: on the
-- labelled set (a few thousand passages) a tier ranked the first 100 partial matches the scan
-- met, and recall@10 fell from 0.857 to 0.746. A passages' tier that is not narrowed now ranks up
-- to 1,000 (ranking a passage reads its stored vector), which on a small collection is all of
-- them; messages and titles keep 100, since ranking one tokenises its text again.

-- The estimated number of index entries the second tier may read before it is narrowed: 25,000
-- (a few milliseconds of index reading), or the transaction's `parley.keyword_scan_budget`.
create or replace function public.keyword_scan_budget()
returns bigint
language sql
stable
parallel safe
set search_path = ''
as $$
  select coalesce(nullif(current_setting('parley.keyword_scan_budget', true), '')::bigint, 25000)
$$;
--> statement-breakpoint
-- The OR of a keyword query's least common positive words (outside its exclusions) whose
-- estimated matches in `source` ('chunks', 'messages' or 'titles') sum to at most the budget
-- (always at least the rarest), or null when the second tier needs no narrowing. A word the
-- statistics do not list is less common than every listed one, and is estimated at the least
-- listed frequency.
create or replace function public.keyword_uncommon_words(source text, query tsquery)
returns tsquery
language plpgsql
stable
security invoker
set search_path = ''
-- Planning the pg_stats view takes milliseconds; its generic plan is kept for the session.
set plan_cache_mode = force_generic_plan
as $fn$
declare
  operand_pattern constant text := $re$'(?:[^'\\]|''|\\.)*'(?::[*A-D]+)?$re$;
  budget constant bigint := public.keyword_scan_budget();
  -- Passages' stored column, or the expression indexes' (ANALYZE keeps them as for a column).
  stats_relation text := case source
    when 'chunks' then 'document_chunks'
    when 'messages' then 'messages_search_idx'
    when 'titles' then 'conversations_title_search_idx'
  end;
  stats_column text := case source when 'chunks' then 'search_vector' else 'to_tsvector' end;
  entries double precision;
  elems text[];
  freqs real[];
  least_freq real;
  total double precision := 0;
  taken double precision := 0;
  narrowed tsquery;
  word record;
begin
  select c.reltuples into entries
  from pg_catalog.pg_class c
  where c.oid = to_regclass('public.' || stats_relation);
  if entries is null or entries <= budget then
    return null;
  end if;
  select s.most_common_elems::text::text[], s.most_common_elem_freqs
  into elems, freqs
  from pg_catalog.pg_stats s
  where s.schemaname = 'public' and s.tablename = stats_relation and s.attname = stats_column;
  if elems is null then
    return null;
  end if;
  -- After the lexemes' frequencies come the least and the greatest of them, then the null share.
  least_freq := freqs[cardinality(elems) + 1];
  for word in
    with operands as (
      select distinct m[1] as operand
      from regexp_matches(coalesce(querytree(query), ''), '(' || operand_pattern || ')', 'g') as m
    ),
    lexemes as (
      -- The operand unquoted: its quotes and escapes undone, its weights left out.
      select o.operand, regexp_replace(
          replace(substring(o.operand from $re$^'(.*)'(?::[*A-D]+)?$$re$), '''''', ''''),
          '\\(.)', '\1', 'g'
        ) as lexeme
      from operands o
      -- A prefix matches many lexemes: its size is unknown, so it never narrows.
      where o.operand !~ ':[A-D]*\*'
    )
    select l.operand,
      coalesce(freqs[array_position(elems, l.lexeme)], least_freq) * entries as matches,
      array_position(elems, l.lexeme) is not null as listed
    from lexemes l
    -- An unlisted word is at most as common as the least listed one: first among equals.
    order by 2, 3, 1
  loop
    total := total + word.matches;
    if narrowed is null or taken + word.matches <= budget then
      narrowed := case when narrowed is null then word.operand::tsquery
        else narrowed || word.operand::tsquery end;
      taken := taken + word.matches;
    end if;
  end loop;
  if total <= budget then
    return null;
  end if;
  return narrowed;
end
$fn$;
--> statement-breakpoint
-- One tier of `keyword_candidates` (see the bounded-ranking migration). With `narrowed_by`, the
-- index finds the rows matching it, and of those only the rows that also match `query` are kept
-- (tested row by row, so the index is never asked for the query's common words).
drop function if exists public.keyword_tier(text, tsquery, tsquery, uuid[], integer, integer);
--> statement-breakpoint
create or replace function public.keyword_tier(
  source text,
  query tsquery,
  ranked_by tsquery,
  file_ids uuid[],
  max_count integer,
  pool integer,
  narrowed_by tsquery default null
)
returns table (id uuid, rank real)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  vector text := case source
    when 'chunks' then 'c.search_vector'
    when 'messages' then $v$to_tsvector('english'::regconfig, left(m.content, 100000))$v$
    when 'titles' then $v$to_tsvector('english'::regconfig, coalesce(cv.title, ''))$v$
  end;
  -- `is true` keeps the planner from making the whole query an index condition.
  matching text := case when narrowed_by is null then format('%1$s @@ $1', vector)
    else format('%1$s @@ $6 and (%1$s @@ $1) is true', vector) end;
  matches text := case source
    when 'chunks' then format($q$
      select c.id, %1$s as vector
      from public.document_chunks c
      where c.user_id = (select auth.uid())
        and %2$s
        and ($2 is null or c.file_id = any ($2))
        and exists (
          select 1 from public.files f
          where f.id = c.file_id and f.user_id = c.user_id and f.status = 'ready'
        )
    $q$, vector, matching)
    when 'messages' then format($q$
      select m.id, %1$s as vector
      from public.messages m
      where m.user_id = (select auth.uid())
        and m.status <> 'streaming'
        and %2$s
        and m.role in ('user', 'assistant')
    $q$, vector, matching)
    when 'titles' then format($q$
      select cv.id, %1$s as vector
      from public.conversations cv
      where cv.user_id = (select auth.uid())
        and cv.title is not null
        and %2$s
    $q$, vector, matching)
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
  ) using query, file_ids, max_count, pool, ranked_by, narrowed_by;
end
$$;
--> statement-breakpoint
revoke all on function public.keyword_tier(text, tsquery, tsquery, uuid[], integer, integer, tsquery)
  from public, anon, authenticated;
--> statement-breakpoint
revoke all on function public.keyword_uncommon_words(text, tsquery) from public, anon, authenticated;
--> statement-breakpoint
revoke all on function public.keyword_scan_budget() from public, anon, authenticated;
--> statement-breakpoint
-- As in the bounded-ranking migration, with the second tier drawn through the query's uncommon
-- words when they exist (and, should that find nothing at all, through all of them).
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
  narrowed tsquery;
  -- Partial matches of passages not narrowed are ranked from a wider pool: on a small table that
  -- is all of them, so the best are not left out for the order the scan met them in. Ranking a
  -- passage reads its stored vector; ranking a message or a title tokenises its text again, so
  -- theirs stays at the pool's size.
  wide_pool integer := case when source = 'chunks' then greatest(wanted, 1000) else pool end;
begin
  if query is null or wanted = 0 then
    return;
  end if;
  return query select t.id, t.rank
    from public.keyword_tier(source, all_terms, query, file_ids, wanted, pool) t;
  get diagnostics found_count = row_count;
  if found_count >= wanted or all_terms::text = query::text then
    return;
  end if;
  narrowed := public.keyword_uncommon_words(source, query);
  return query select t.id, t.rank
    from public.keyword_tier(
      source, query && !!all_terms, query, file_ids, wanted - found_count,
      case when narrowed is null then wide_pool else pool end, narrowed
    ) t;
  if narrowed is not null and found_count = 0 then
    get diagnostics found_count = row_count;
    if found_count = 0 then
      return query select t.id, t.rank
        from public.keyword_tier(source, query && !!all_terms, query, file_ids, wanted, wide_pool) t;
    end if;
  end if;
end
$$;
--> statement-breakpoint
comment on function public.keyword_candidates(text, tsquery, uuid[], integer) is 'The caller''s rows matching a keyword query with their ts_rank_cd, at most max_count (null: 100), in no particular order: the rows holding all of the query''s words outside its exclusions, then, when those are fewer than wanted, rows holding some of them: on a large table whose statistics say some of the words are common, only rows holding one of its uncommon words (unless that finds nothing at all). Each tier ranks a pool of at most max(max_count, 100) of its matches (passages'' second tier when not narrowed: max(max_count, 1000)) drawn from the full-text index unranked: all of them while there are no more, otherwise the first the scan meets (roughly the oldest rows), not the best. Security definer (reviewed): filters on auth.uid() in every tier and returns only ids and ranks.';
