import type { Database } from '../client.ts'

export interface UsageSeed {
  /** The seeded users, by id (their email starts with `usage-`). */
  userIds: string[]
}

/**
 * A team's usage ledger at scale, fast: `users` users and `events` usage rows spread evenly over
 * them, `models` models and the last `days` days, inserted by `generate_series` in batches with
 * the roll-up trigger off, then both rollups rebuilt from the ledger in one pass each.
 */
export async function seedUsageAtScale(
  db: Database,
  options: { users: number; events: number; days: number; models: number },
  onProgress: (inserted: number) => void = () => {},
): Promise<UsageSeed> {
  const batch = 500_000
  const userIds = await db.asOwner(async (owner) => {
    const rows = await owner.query<{ id: string }>(
      `insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data)
       select gen_random_uuid(), 'authenticated', 'authenticated', 'usage-' || i || '@example.test', '{}', '{}'
       from generate_series(1, $1::int) i
       returning id`,
      [options.users],
    )
    return rows.map((row) => row.id)
  })
  await db.asOwner((owner) =>
    owner.exec('alter table public.usage_events disable trigger usage_events_roll_up'),
  )
  for (let start = 0; start < options.events; start += batch) {
    const end = Math.min(options.events, start + batch)
    await db.asOwner((owner) =>
      owner.query(
        `insert into public.usage_events (user_id, provider, model, input_tokens, output_tokens,
           cost_micro_usd, ttft_ms, latency_ms, status, attempts, created_at)
         select ($1::uuid[])[1 + g % $3::int], 'openai', 'model-' || (g / $3::int) % $4::int,
           200 + g % 2000, 50 + g % 700, 100 + g % 9000, 80 + (g * 7) % 4000, 900 + (g * 13) % 9000,
           case when g % 40 = 0 then 'error' else 'ok' end, 1,
           now() - make_interval(secs => (g::bigint * 7919) % ($5::bigint * 86400))
         from generate_series($2::int, $6::int) g`,
        [userIds, start, options.users, options.models, options.days, end - 1],
      ),
    )
    onProgress(end)
  }
  await db.asOwner(async (owner) => {
    await owner.exec('alter table public.usage_events enable trigger usage_events_roll_up')
    await owner.exec('select public.usage_rollups_rebuild(); analyze')
  })
  return { userIds }
}
