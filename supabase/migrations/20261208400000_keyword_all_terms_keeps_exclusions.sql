-- Two or more `-word` exclusions let excluded rows back in. The all-terms form of a keyword
-- query was made by rewriting its text (' | ' into ' & '), which also rewrote the OR inside the
-- negation: `'python' & !( 'snake' | 'mice' )` became `'python' & !( 'snake' & 'mice' )`, so a
-- row holding "python snake" without "mice" matched `python -snake -mice`.
--
-- The all-terms form is now the query itself AND-ed with each of its positive lexemes (or the
-- query alone, without an OR outside its exclusions): the query (its phrases, its exclusions)
-- stays a whole operand, never rewritten, and `querytree` (Postgres' own walk of the tree)
-- leaves out the negated branches, so no excluded word is ever required. For
-- `required & (optional | required) & !excluded`, that is `required & AND(optional) & !excluded`.

-- The all-terms form of a keyword query: the rows matching it that hold every one of its words
-- outside an exclusion; the query itself when it has no OR outside its exclusions (it already
-- requires every word, and `keyword_candidates` then skips its second tier). The lexemes are
-- read from `querytree`'s text, where each is a quoted operand in tsquery syntax (quotes and
-- backslashes escaped, optional weights or prefix), and each is cast back as it stands; the
-- operators are what is left once the operands are taken out.
create or replace function public.all_terms_query(query tsquery)
returns tsquery
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  operand_pattern constant text := $re$'(?:[^'\\]|''|\\.)*'(?::[*A-D]+)?$re$;
  positive text := querytree(query);
  result tsquery := query;
  operand text;
begin
  if positive is null or strpos(regexp_replace(positive, operand_pattern, '', 'g'), '|') = 0 then
    return result;
  end if;
  for operand in
    select m[1] from regexp_matches(positive, '(' || operand_pattern || ')', 'g') as m
  loop
    result := result && operand::tsquery;
  end loop;
  return result;
end
$$;
--> statement-breakpoint
-- What `keyword_candidates` ranks, said exactly (its body is unchanged; its comment in the bounded
-- ranking migration said "the best").
comment on function public.keyword_candidates(text, tsquery, uuid[], integer) is 'The caller''s rows matching a keyword query with their ts_rank_cd, at most max_count (null: 100), in no particular order: the rows holding all of the query''s words outside its exclusions, then, when those are fewer than wanted, rows holding some of them. Each tier ranks a pool of at most max(max_count, 100) of its matches drawn from the full-text index unranked: all of them while there are no more, otherwise the first the scan meets (roughly the oldest rows), not the best. Security definer (reviewed): filters on auth.uid() in every tier and returns only ids and ranks.';
