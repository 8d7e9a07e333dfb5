-- Two or more `-word` exclusions let excluded rows back in. The all-terms form of a keyword
-- query was made by rewriting its text (' | ' into ' & '), which also rewrote the OR inside the
-- negation: `'python' & !( 'snake' | 'mice' )` became `'python' & !( 'snake' & 'mice' )`, so a
-- row holding "python snake" without "mice" matched `python -snake -mice`.
--
-- The all-terms form is now the query itself AND-ed with each of its positive lexemes: the
-- query (its phrases, its exclusions) stays a whole operand, never rewritten, and `querytree`
-- (Postgres' own walk of the tree) leaves out the negated branches, so no excluded word is
-- ever required. For `required & (optional | required) & !excluded`, that is
-- `required & AND(optional) & !excluded`.

-- The all-terms form of a keyword query: the rows matching it that hold every one of its words
-- outside an exclusion. The lexemes are read from `querytree`'s text, where each is a quoted
-- operand in tsquery syntax (quotes and backslashes escaped, optional weights or prefix), and
-- each is cast back as it stands.
create or replace function public.all_terms_query(query tsquery)
returns tsquery
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  result tsquery := query;
  operand text;
begin
  for operand in
    select m[1] from regexp_matches(
      querytree(query), $re$('(?:[^'\\]|''|\\.)*'(?::[*A-D]+)?)$re$, 'g'
    ) as m
  loop
    result := result && operand::tsquery;
  end loop;
  return result;
end
$$;
--> statement-breakpoint
-- The caller's rows matching a keyword query with their ts_rank_cd, at most `max_count` (null:
-- 100), in no particular order (callers order by rank): the rows holding all of the query's
-- words, then, when those are fewer than wanted, rows holding some of them. Each tier ranks a
-- pool of at most max(`max_count`, 100) of its matches, drawn from the full-text index unranked:
-- all of them while there are no more, otherwise the first the scan meets (a bitmap scan reads
-- the table in physical order: for a table mostly appended to, roughly the oldest rows), not the
-- best. Security definer as before (reviewed; see the knowledge migration): it filters on
-- `auth.uid()` in every tier and returns only ids and ranks.
--
-- Changed from the bounded ranking migration only in when the second tier runs: the all-terms
-- form is never the query's own text now, and when it matches the same rows (no optional words),
-- the first tier found them all, fewer than wanted, so the second tier's scan finds nothing.
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
  if found_count < wanted then
    return query select t.id, t.rank
      from public.keyword_tier(
        source, query && !!all_terms, query, file_ids, wanted - found_count, pool
      ) t;
  end if;
end
$$;
