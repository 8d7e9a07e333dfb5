import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database, OwnerSql } from './client.ts'
import { createTestDatabase } from './testing/index.ts'
import { lintSchema, type SchemaFinding } from './testing/schema-lint.ts'

let db: Database
beforeAll(async () => {
  db = await createTestDatabase()
})
afterAll(() => db?.close())

class Rollback extends Error {}

/** Lints after running `setup`, then rolls the setup back. */
async function lintWith(setup: string): Promise<SchemaFinding[]> {
  let findings: SchemaFinding[] = []
  await db
    .asOwner(async (sql: OwnerSql) => {
      await sql.exec(setup)
      findings = await lintSchema(sql)
      throw new Rollback()
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error
    })
  return findings
}

describe('schema lint on the migrated database', () => {
  it('finds nothing', async () => {
    expect(await db.asOwner(lintSchema)).toEqual([])
  })

  describe('catches each kind of mistake', () => {
    it('a table without row-level security or policies', async () => {
      expect(await lintWith('create table public.lint_bare (id int)')).toEqual(
        expect.arrayContaining([
          { rule: 'table without row-level security', object: 'lint_bare' },
          { rule: 'table without a policy', object: 'lint_bare' },
        ]),
      )
    })

    it('an internal table open to users or without row-level security', async () => {
      const findings = await lintWith(`
        create table parley_internal.lint_open (id int);
        grant select on parley_internal.lint_open to authenticated;`)
      expect(findings).toEqual(
        expect.arrayContaining([
          { rule: 'internal table without row-level security', object: 'lint_open' },
          { rule: 'internal table granted to a user role', object: 'lint_open' },
        ]),
      )
    })

    it('a write policy that admits any row', async () => {
      const findings = await lintWith(`
        create table public.lint_open (id int);
        alter table public.lint_open enable row level security;
        create policy lint_open_insert on public.lint_open for insert to authenticated with check (true);
        create policy lint_open_update on public.lint_open for update to authenticated using (true);`)
      expect(findings).toEqual(
        expect.arrayContaining([
          { rule: 'write policy whose check is always true', object: 'lint_open.lint_open_insert' },
          { rule: 'write policy whose check is always true', object: 'lint_open.lint_open_update' },
        ]),
      )
    })

    it('a security definer function with a mutable search_path', async () => {
      const findings = await lintWith(
        'create function public.lint_definer() returns int language sql security definer as $$ select 1 $$',
      )
      expect(findings).toContainEqual({
        rule: 'security definer function without a fixed search_path',
        object: 'public.lint_definer',
      })
    })

    it('a security definer function users may call', async () => {
      const findings = await lintWith(`
        create function public.lint_charge() returns void language sql security definer
          set search_path = '' as $$ update public.profiles set stored_bytes = 0 $$;
        grant execute on function public.lint_charge() to authenticated;`)
      expect(findings).toContainEqual({
        rule: 'security definer function a user role may call',
        object: 'public.lint_charge',
      })
      expect(
        await lintWith(`
          create function public.lint_charge() returns void language sql security definer
            set search_path = '' as $$ update public.profiles set stored_bytes = 0 $$;
          revoke all on function public.lint_charge() from public, anon, authenticated;
          grant execute on function public.lint_charge() to parley_user;`),
      ).toContainEqual({
        rule: 'security definer function a user role may call',
        object: 'public.lint_charge',
      })
      expect(
        await lintWith(`
          create function public.lint_charge() returns void language sql security definer
            set search_path = '' as $$ update public.profiles set stored_bytes = 0 $$;
          revoke all on function public.lint_charge() from public, anon, authenticated;`),
      ).toEqual([])
    })

    it('a reviewed function whose search_path is no longer pinned', async () => {
      const findings = await lintWith('alter function public.read_share(text) reset search_path')
      expect(findings).toEqual(
        expect.arrayContaining([
          {
            rule: 'security definer function without a fixed search_path',
            object: 'public.read_share',
          },
          { rule: 'security definer function a user role may call', object: 'public.read_share' },
        ]),
      )
    })

    it('a table the Data API may write, whole or by column', async () => {
      const tables = `
        create table public.lint_ledger (id int, cost bigint);
        create table public.lint_totals (id int, cost bigint);
        alter table public.lint_ledger enable row level security;
        alter table public.lint_totals enable row level security;
        create policy lint_ledger_own on public.lint_ledger for select to authenticated using (id = 1);
        create policy lint_totals_own on public.lint_totals for select to authenticated using (id = 1);
        grant select on public.lint_ledger, public.lint_totals to authenticated;`
      const findings = await lintWith(`${tables}
        grant insert on public.lint_ledger to authenticated;
        grant update (cost) on public.lint_totals to authenticated;`)
      expect(findings).toEqual(
        expect.arrayContaining([
          { rule: 'table the Data API may write', object: 'lint_ledger' },
          { rule: 'table the Data API may write', object: 'lint_totals' },
        ]),
      )
      expect(
        await lintWith(`${tables}
          grant insert on public.lint_ledger to parley_user;
          grant update (cost) on public.lint_totals to parley_user;`),
      ).toEqual([])
    })

    it('a function the Data API may call', async () => {
      const create = `create function public.lint_recount() returns int language sql as 'select 1';`
      expect(await lintWith(create)).toContainEqual({
        rule: 'function the Data API may call',
        object: 'public.lint_recount',
      })
      expect(
        await lintWith(`${create}
          revoke all on function public.lint_recount() from public;
          grant execute on function public.lint_recount() to parley_user;`),
      ).toEqual([])
    })

    it('a Data API role that can switch into the API’s role', async () => {
      const findings = await lintWith(`
        do $$ begin
          if not exists (select 1 from pg_roles where rolname = 'authenticator') then
            create role authenticator noinherit nologin;
          end if;
        end $$;
        grant parley_user to authenticator;
        grant parley_user to anon;`)
      expect(findings).toEqual(
        expect.arrayContaining([
          { rule: 'Data API role that can become the API role', object: 'authenticator' },
          { rule: 'Data API role that can become the API role', object: 'anon' },
        ]),
      )
    })

    it('a view that runs with its owner’s rights', async () => {
      const findings = await lintWith('create view public.lint_view as select 1 as one')
      expect(findings).toContainEqual({
        rule: 'view without security_invoker',
        object: 'lint_view',
      })
      expect(
        await lintWith(
          'create view public.lint_view with (security_invoker = true) as select 1 as one',
        ),
      ).toEqual([])
    })

    it('a policy that trusts user_metadata, directly or through a function', async () => {
      const findings = await lintWith(`
        create function public.lint_is_boss() returns boolean language sql stable set search_path = ''
          as $$ select (auth.jwt() -> 'user_metadata' ->> 'role') = 'boss' $$;
        create policy lint_direct on public.conversations for select to authenticated
          using ((auth.jwt() -> 'user_metadata' ->> 'role') = 'boss');
        create policy lint_indirect on public.messages for select to authenticated
          using (public.lint_is_boss());`)
      expect(findings).toEqual(
        expect.arrayContaining([
          { rule: 'policy reads user_metadata', object: 'conversations.lint_direct' },
          { rule: 'policy reads user_metadata', object: 'messages.lint_indirect' },
        ]),
      )
    })
  })
})
