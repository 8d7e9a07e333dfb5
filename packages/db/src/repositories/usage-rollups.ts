import { ttftBucketBoundsMs, ttftBucketCount } from '@parley/schema/tables'
import { type SQL, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Tx } from '../client.ts'
import { parseInput } from '../errors.ts'
import { executedRows } from '../json-row.ts'

export type UsageGrouping = 'day' | 'model' | 'conversation' | 'user'

/** One group of the rollups: sums, and calls per TTFT bucket (null by conversation). */
export interface UsageGroup {
  key: string
  /** The conversation's title when grouped by conversation, else null. */
  label: string | null
  requests: number
  inputTokens: number
  outputTokens: number
  cachedInputTokens: number
  costMicroUsd: number
  errors: number
  ttftCount: number
  ttftSumMs: number
  latencyCount: number
  latencySumMs: number
  ttftHistogram: number[] | null
}

const rollupQuery = z.strictObject({
  from: z.iso.date(),
  to: z.iso.date(),
  groupBy: z.enum(['day', 'model', 'conversation', 'user']),
  /** `own`: the caller's rows only; `visible`: every row RLS shows (an admin's: everyone's). */
  scope: z.enum(['own', 'visible']),
})
export type UsageRollupQuery = z.input<typeof rollupQuery>

interface GroupJson {
  key: string
  label: string | null
  requests: number | string
  input_tokens: number | string
  output_tokens: number | string
  cached_input_tokens: number | string
  cost_micro_usd: number | string
  errors: number | string
  ttft_count: number | string
  ttft_sum_ms: number | string
  latency_count: number | string
  latency_sum_ms: number | string
  ttft_histogram: (number | string)[] | null
}

const sums = (t: SQL) => sql`
  sum(${t}.requests) as requests, sum(${t}.input_tokens) as input_tokens,
  sum(${t}.output_tokens) as output_tokens, sum(${t}.cached_input_tokens) as cached_input_tokens,
  sum(${t}.cost_micro_usd) as cost_micro_usd, sum(${t}.errors) as errors,
  sum(${t}.ttft_count) as ttft_count, sum(${t}.ttft_sum_ms) as ttft_sum_ms,
  sum(${t}.latency_count) as latency_count, sum(${t}.latency_sum_ms) as latency_sum_ms`

/**
 * Usage from the daily rollups (never the ledger) for UTC days `from` to `to` inclusive, one
 * group per day, model, conversation or user. Days ascend; other groupings put the costliest
 * first. Under RLS a user only ever sees their own rows.
 */
export async function usageRollup(tx: Tx, query: UsageRollupQuery): Promise<UsageGroup[]> {
  const { from, to, groupBy, scope } = parseInput(rollupQuery, query)
  const rows = executedRows<GroupJson>(
    await tx.execute(
      groupBy === 'conversation'
        ? byConversation(from, to, scope)
        : byDailyKey(from, to, scope, groupBy),
    ),
  )
  return rows.map((row) => ({
    key: row.key,
    label: row.label,
    requests: Number(row.requests),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cachedInputTokens: Number(row.cached_input_tokens),
    costMicroUsd: Number(row.cost_micro_usd),
    errors: Number(row.errors),
    ttftCount: Number(row.ttft_count),
    ttftSumMs: Number(row.ttft_sum_ms),
    latencyCount: Number(row.latency_count),
    latencySumMs: Number(row.latency_sum_ms),
    ttftHistogram: row.ttft_histogram === null ? null : row.ttft_histogram.map(Number),
  }))
}

function byDailyKey(
  from: string,
  to: string,
  scope: 'own' | 'visible',
  groupBy: 'day' | 'model' | 'user',
): SQL {
  const key =
    groupBy === 'day'
      ? sql`to_char(d.day, 'YYYY-MM-DD')`
      : groupBy === 'model'
        ? sql`d.model`
        : sql`d.user_id::text`
  const own = scope === 'own' ? sql`and d.user_id = (select auth.uid())` : sql``
  const order = groupBy === 'day' ? sql`1` : sql`sum(d.cost_micro_usd) desc, 1`
  // One pass: the histograms are summed bucket by bucket in the same grouping as the totals.
  const buckets = Array.from(
    { length: ttftBucketCount },
    (_, i) => sql`sum(d.ttft_histogram[${sql.raw(String(i + 1))}])`,
  )
  return sql`
    select ${key} as key, null::text as label, ${sums(sql`d`)},
      array[${sql.join(buckets, sql`, `)}]::bigint[] as ttft_histogram
    from public.usage_daily d
    where d.day between ${from}::date and ${to}::date ${own}
    group by 1
    order by ${order}`
}

function byConversation(from: string, to: string, scope: 'own' | 'visible'): SQL {
  const own = scope === 'own' ? sql`and c.user_id = (select auth.uid())` : sql``
  return sql`
    select c.conversation_id::text as key, min(conv.title) as label, ${sums(sql`c`)},
      null::bigint[] as ttft_histogram
    from public.usage_daily_conversations c
    left join public.conversations conv on conv.id = c.conversation_id
    where c.day between ${from}::date and ${to}::date ${own}
    group by c.conversation_id
    order by sum(c.cost_micro_usd) desc, c.conversation_id`
}

/** The groups added together (histograms bucket by bucket). */
export function sumUsageGroups(key: string, groups: readonly UsageGroup[]): UsageGroup {
  const total: UsageGroup = {
    key,
    label: null,
    requests: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    costMicroUsd: 0,
    errors: 0,
    ttftCount: 0,
    ttftSumMs: 0,
    latencyCount: 0,
    latencySumMs: 0,
    ttftHistogram: null,
  }
  for (const group of groups) {
    total.requests += group.requests
    total.inputTokens += group.inputTokens
    total.outputTokens += group.outputTokens
    total.cachedInputTokens += group.cachedInputTokens
    total.costMicroUsd += group.costMicroUsd
    total.errors += group.errors
    total.ttftCount += group.ttftCount
    total.ttftSumMs += group.ttftSumMs
    total.latencyCount += group.latencyCount
    total.latencySumMs += group.latencySumMs
    if (group.ttftHistogram) {
      const sum = total.ttftHistogram ?? new Array<number>(ttftBucketCount).fill(0)
      group.ttftHistogram.forEach((n, i) => {
        sum[i] = (sum[i] ?? 0) + n
      })
      total.ttftHistogram = sum
    }
  }
  return total
}

/**
 * The `p`th percentile (0 < p <= 1) of a TTFT histogram, interpolated linearly inside its bucket
 * (the open last bucket answers its lower bound). Null for an empty histogram.
 */
export function histogramPercentile(histogram: readonly number[], p: number): number | null {
  const total = histogram.reduce((sum, n) => sum + n, 0)
  if (total <= 0) return null
  const rank = p * total
  let below = 0
  for (const [i, n] of histogram.entries()) {
    if (n > 0 && below + n >= rank) {
      const lower = i === 0 ? 0 : (ttftBucketBoundsMs[i - 1] ?? 0)
      const upper = ttftBucketBoundsMs[i] ?? lower
      return Math.round(lower + ((upper - lower) * (rank - below)) / n)
    }
    below += n
  }
  return ttftBucketBoundsMs[ttftBucketBoundsMs.length - 1] ?? null
}
