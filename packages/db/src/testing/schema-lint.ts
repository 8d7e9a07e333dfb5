import type { OwnerSql } from '../client.ts'

/**
 * Security definer functions users may call, each reviewed: they pin an empty search_path and
 * act only on the caller's rows (`auth.uid()`), or, for `read_share`, read one share link by its
 * unguessable id and return only its snapshot. Budget reservations are written only through
 * them, so a user cannot reserve less, or free a reservation while its reply streams; shares are
 * read only through `read_share`, so the public reaches no other row. `admin_list_users` and
 * `admin_update_user` read and change accounts in `auth.users` only when `is_admin()`, and never
 * the caller's own role or access. `keyword_candidates` returns ids and ranks of the caller's own
 * rows only (`auth.uid()`), so full-text indexes can be used (RLS blocks them for `@@`); its
 * callers join the ids back under RLS.
 */
export const reviewedDefinerFunctions = [
  'public.reserve_budget',
  'public.settle_budget',
  'public.read_share',
  'public.admin_list_users',
  'public.admin_update_user',
  'public.keyword_candidates',
]

export interface SchemaFinding {
  rule: string
  object: string
}

/**
 * Security rules every migration must keep, checked against the live catalog:
 * RLS on every public table with at least one policy, no INSERT/UPDATE policy that admits any
 * row, a fixed search_path on every security definer function and none a user may call except
 * triggers and the reviewed few, security_invoker views, and
 * no policy (or function it calls) reading the user-editable user_metadata; and tables of the
 * internal schema under RLS and granted to no user role.
 */
export async function lintSchema(sql: OwnerSql): Promise<SchemaFinding[]> {
  const findings: SchemaFinding[] = []
  const add = (rule: string, rows: { object: string }[]) => {
    for (const row of rows) findings.push({ rule, object: row.object })
  }

  add(
    'table without row-level security',
    await sql.query(`
      select c.relname as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity`),
  )
  add(
    'table without a policy',
    await sql.query(`
      select c.relname as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p')
        and not exists (select 1 from pg_policy p where p.polrelid = c.oid)`),
  )
  add(
    'write policy whose check is always true',
    await sql.query(`
      select tablename || '.' || policyname as object from pg_policies
      where schemaname = 'public' and cmd in ('INSERT', 'UPDATE', 'ALL')
        and lower(btrim(coalesce(with_check, qual, 'true'), ' ()')) = 'true'`),
  )
  // Server bookkeeping lives in parley_internal: no RLS policy, so no user role may touch it.
  add(
    'internal table without row-level security',
    await sql.query(`
      select c.relname as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'parley_internal' and c.relkind in ('r', 'p') and not c.relrowsecurity`),
  )
  add(
    'internal table granted to a user role',
    await sql.query(`
      select distinct c.relname as object
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      cross join (values ('anon'), ('authenticated')) as r (role)
      where n.nspname = 'parley_internal' and c.relkind in ('r', 'p')
        and has_table_privilege(r.role, c.oid, 'select, insert, update, delete, truncate')`),
  )
  add(
    'security definer function without a fixed search_path',
    await sql.query(`
      select n.nspname || '.' || p.proname as object
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.prosecdef
        and not exists (
          select 1 from unnest(coalesce(p.proconfig, '{}')) setting where setting like 'search_path=%'
        )`),
  )
  // Definer rights are for triggers (which no one calls directly) and bookkeeping such as the
  // quota counters: a user who could call one would act with its owner's rights. The reviewed
  // exceptions act only on the caller's own rows (`auth.uid()`) and pin their search_path.
  add(
    'security definer function a user role may call',
    await sql.query(
      `
      select distinct n.nspname || '.' || p.proname as object
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      cross join (values ('anon'), ('authenticated')) as r (role)
      where n.nspname = 'public' and p.prosecdef and p.prorettype <> 'trigger'::regtype
        and has_function_privilege(r.role, p.oid, 'execute')
        and not (
          n.nspname || '.' || p.proname = any ($1)
          and coalesce(p.proconfig, '{}') && array['search_path=""', 'search_path=']
        )`,
      [reviewedDefinerFunctions],
    ),
  )
  add(
    'view without security_invoker',
    await sql.query(`
      select c.relname as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'v'
        and not coalesce(c.reloptions, '{}') && array['security_invoker=true', 'security_invoker=on']`),
  )
  add(
    'policy reads user_metadata',
    await sql.query(`
      select distinct pol.tablename || '.' || pol.policyname as object
      from pg_policies pol
      left join pg_proc p
        on p.pronamespace = 'public'::regnamespace
        and (coalesce(pol.qual, '') || coalesce(pol.with_check, '')) like '%' || p.proname || '(%'
      where pol.schemaname = 'public'
        and (coalesce(pol.qual, '') || coalesce(pol.with_check, '') || coalesce(p.prosrc, ''))
          ~* 'user_meta_?data'`),
  )
  return findings
}
