-- A quoted phrase after a minus, -"blue whale", excludes the phrase: it was read as a required
-- phrase (the minus was dropped with the quotes), the opposite of what was asked. Otherwise the
-- keyword query of a question is as before: words OR-ed (stop words dropped, english stems),
-- "quoted phrases" required, -word and -"phrase" excluded, null when nothing is left to look for.
create or replace function public.keyword_query(query text)
returns tsquery
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  required tsquery;
  optional tsquery;
  excluded tsquery;
  quoted text[];
  part tsquery;
  word text;
  result tsquery;
begin
  for quoted in select m from regexp_matches(coalesce(query, ''), '(-?)"([^"]*)"', 'g') as m loop
    -- Stop words alone are skipped here rather than left to raise notices in the parsers.
    continue when length(to_tsvector('english'::regconfig, quoted[2])) = 0;
    part := phraseto_tsquery('english'::regconfig, quoted[2]);
    if quoted[1] = '-' then
      excluded := coalesce(excluded || part, part);
    else
      required := coalesce(required && part, part);
    end if;
  end loop;
  for word in
    select w from regexp_split_to_table(
      replace(regexp_replace(coalesce(query, ''), '-?"[^"]*"', ' ', 'g'), '"', ' '), '\s+'
    ) as w
  loop
    continue when length(to_tsvector('english'::regconfig, ltrim(word, '-'))) = 0;
    part := plainto_tsquery('english'::regconfig, ltrim(word, '-'));
    if left(word, 1) = '-' then
      excluded := coalesce(excluded || part, part);
    else
      optional := coalesce(optional || part, part);
    end if;
  end loop;
  -- The OR with the phrases is always true where they match: it only lets the other words raise
  -- the rank of the passages that also hold them.
  result := coalesce(required && (optional || required), required, optional);
  if excluded is not null then
    result := result && !! excluded;
  end if;
  return result;
end
$$;
