import type { OwnerSql } from '../client.ts'

/**
 * Security definer functions a request may call (the API's `parley_user`, or the Data API's
 * `anon` and `authenticated` for `read_share`), each reviewed: they pin an empty search_path and
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
  'public.settle_reply_budget',
  'public.read_share',
  'public.admin_list_users',
  'public.admin_update_user',
  'public.keyword_candidates',
]

/**
 * The functions Supabase's Data API (PostgREST, as `anon` or `authenticated` with a user's own
 * token) may call: `is_admin()`, which its select policies call, and `read_share`, the public
 * path to a share link. Everything else is the API's (`parley_user`).
 */
export const dataApiFunctions = ['public.is_admin', 'public.read_share']

/** The roles PostgREST runs a request as: they may read under RLS, never write. */
const dataApiRoles = ['anon', 'authenticated']

/** The roles a request runs as: the Data API's and the API's own (`withUser`). */
const requestRoles = [...dataApiRoles, 'parley_user']

export interface SchemaFinding {
  rule: string
  object: string
}

interface Rule {
  rule: string
  /** Selects one `object` per finding. */
  statement: string
  params?: unknown[]
}

const rules: Rule[] = [
  {
    rule: 'table without row-level security',
    statement: `
      select c.relname as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity`,
  },
  {
    rule: 'table without a policy',
    statement: `
      select c.relname as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p')
        and not exists (select 1 from pg_policy p where p.polrelid = c.oid)`,
  },
  {
    rule: 'write policy whose check is always true',
    statement: `
      select tablename || '.' || policyname as object from pg_policies
      where schemaname = 'public' and cmd in ('INSERT', 'UPDATE', 'ALL')
        and lower(btrim(coalesce(with_check, qual, 'true'), ' ()')) = 'true'`,
  },
  // Server bookkeeping lives in parley_internal: no RLS policy, so no user role may touch it.
  {
    rule: 'internal table without row-level security',
    statement: `
      select c.relname as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'parley_internal' and c.relkind in ('r', 'p') and not c.relrowsecurity`,
  },
  {
    rule: 'internal table granted to a user role',
    statement: `
      select distinct c.relname as object
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      cross join unnest($1::text[]) as r (role)
      where n.nspname = 'parley_internal' and c.relkind in ('r', 'p')
        and has_table_privilege(r.role, c.oid, 'select, insert, update, delete, truncate')`,
    params: [requestRoles],
  },
  {
    rule: 'security definer function without a fixed search_path',
    statement: `
      select n.nspname || '.' || p.proname as object
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.prosecdef
        and not exists (
          select 1 from unnest(coalesce(p.proconfig, '{}')) setting where setting like 'search_path=%'
        )`,
  },
  // Definer rights are for triggers (which no one calls directly) and bookkeeping such as the
  // quota counters: a user who could call one would act with its owner's rights. The reviewed
  // exceptions act only on the caller's own rows (`auth.uid()`) and pin their search_path.
  {
    rule: 'security definer function a user role may call',
    statement: `
      select distinct n.nspname || '.' || p.proname as object
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      cross join unnest($2::text[]) as r (role)
      where n.nspname = 'public' and p.prosecdef and p.prorettype <> 'trigger'::regtype
        and has_function_privilege(r.role, p.oid, 'execute')
        and not (
          n.nspname || '.' || p.proname = any ($1)
          and coalesce(p.proconfig, '{}') && array['search_path=""', 'search_path=']
        )`,
    params: [reviewedDefinerFunctions, requestRoles],
  },
  // Hosted Supabase exposes `public` through PostgREST unless told otherwise: there a user's own
  // token may read their rows, never write them (token counts, costs, the usage ledger).
  {
    rule: 'table the Data API may write',
    statement: `
      select distinct c.relname as object
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      cross join unnest($1::text[]) as r (role)
      where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f')
        and (
          has_table_privilege(r.role, c.oid, 'insert, update, delete, truncate')
          or has_any_column_privilege(r.role, c.oid, 'insert, update')
        )`,
    params: [dataApiRoles],
  },
  {
    rule: 'function the Data API may call',
    statement: `
      select distinct n.nspname || '.' || p.proname as object
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      cross join unnest($2::text[]) as r (role)
      where n.nspname = 'public' and p.prorettype <> 'trigger'::regtype
        and not (n.nspname || '.' || p.proname = any ($1))
        and has_function_privilege(r.role, p.oid, 'execute')
        and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')`,
    params: [dataApiFunctions, dataApiRoles],
  },
  // PostgREST logs in as `authenticator` and switches into the role a JWT names.
  {
    rule: 'Data API role that can become the API role',
    statement: `
      select r.rolname as object from pg_roles r
      where r.rolname = any ($1::text[] || 'authenticator'::text)
        and pg_has_role(r.oid, 'parley_user', 'member')`,
    params: [dataApiRoles],
  },
  {
    rule: 'view without security_invoker',
    statement: `
      select c.relname as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'v'
        and not coalesce(c.reloptions, '{}') && array['security_invoker=true', 'security_invoker=on']`,
  },
  {
    rule: 'policy reads user_metadata',
    statement: `
      select distinct pol.tablename || '.' || pol.policyname as object
      from pg_policies pol
      left join pg_proc p
        on p.pronamespace = 'public'::regnamespace
        and (coalesce(pol.qual, '') || coalesce(pol.with_check, '')) like '%' || p.proname || '(%'
      where pol.schemaname = 'public'
        and (coalesce(pol.qual, '') || coalesce(pol.with_check, '') || coalesce(p.prosrc, ''))
          ~* 'user_meta_?data'`,
  },
]

/**
 * Security rules every migration must keep, checked against the live catalog:
 * RLS on every public table with at least one policy, no INSERT/UPDATE policy that admits any
 * row, a fixed search_path on every security definer function and none a user may call except
 * triggers and the reviewed few, security_invoker views, and
 * no policy (or function it calls) reading the user-editable user_metadata; tables of the
 * internal schema under RLS and granted to no user role; and nothing the Data API may write or
 * call but the few reviewed functions, nor a way for it to become the API's role.
 */
export async function lintSchema(sql: OwnerSql): Promise<SchemaFinding[]> {
  const findings: SchemaFinding[] = []
  for (const { rule, statement, params } of rules) {
    const rows = await sql.query<{ object: string }>(statement, params)
    for (const row of rows) findings.push({ rule, object: row.object })
  }
  return findings
}
