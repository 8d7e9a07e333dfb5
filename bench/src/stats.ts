export interface LatencySummary {
  samples: number
  opsPerSec: number
  meanMs: number
  p50Ms: number
  p95Ms: number
  p99Ms: number
  minMs: number
  maxMs: number
}

/** Nearest-rank percentile over an already sorted array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank] ?? Number.NaN
}

export function summarize(durationsMs: readonly number[], wallMs?: number): LatencySummary {
  const sorted = [...durationsMs].sort((a, b) => a - b)
  const total = sorted.reduce((sum, d) => sum + d, 0)
  const elapsed = wallMs ?? total
  return {
    samples: sorted.length,
    opsPerSec: elapsed > 0 ? (sorted.length * 1000) / elapsed : Number.NaN,
    meanMs: sorted.length ? total / sorted.length : Number.NaN,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    minMs: sorted[0] ?? Number.NaN,
    maxMs: sorted.at(-1) ?? Number.NaN,
  }
}

/** Runs `fn` `iterations` times sequentially after `warmup` untimed runs. */
export async function measure(
  fn: () => Promise<unknown>,
  { iterations, warmup = Math.ceil(iterations / 10) }: { iterations: number; warmup?: number },
): Promise<LatencySummary> {
  for (let i = 0; i < warmup; i++) await fn()
  const durations: number[] = []
  const start = performance.now()
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now()
    await fn()
    durations.push(performance.now() - t0)
  }
  return summarize(durations, performance.now() - start)
}

export const round = (value: number, digits = 3): number =>
  Number.isFinite(value) ? Number(value.toFixed(digits)) : value
