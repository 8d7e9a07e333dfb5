import type { Database } from '../client.ts'

/** Where a key stands in its window: hits counted so far and when the window (or wait) ends. */
export interface RateCount {
  hits: number
  until: Date
}

interface CountRow extends Record<string, unknown> {
  hits: number
  until: Date | string
}

const toCount = (row: CountRow | undefined): RateCount => {
  if (!row) throw new Error('the rate limit function returned no row')
  return { hits: Number(row.hits), until: new Date(row.until) }
}

/** A key to count, in a window of `windowSeconds`; `quota` (optional) is the most it allows. */
export interface RateKey {
  key: string
  windowSeconds: number
  quota?: number
}

/**
 * Counts one hit of each key of `$1` at `$2`, one row per key with its position `n` (from 1);
 * with a slot (`$3`-`$6`), a row `n = 0` when no key went over its quota, whose `lapses` is null
 * when the slot was taken. A PL/pgSQL function: its plans are kept for the session.
 */
const rateHits =
  'select * from parley_private.rate_hits($1::jsonb, $2::timestamptz, $3, $4, $5, $6)'

interface HitRow extends CountRow {
  n: number
  lapses: Date | string | null
}

const keysParam = (keys: readonly RateKey[]) =>
  JSON.stringify(keys.map(({ key, windowSeconds, quota }) => [key, windowSeconds, quota ?? null]))

function countsInOrder(rows: readonly HitRow[], keys: number): RateCount[] {
  const counts = rows
    .filter((row) => Number(row.n) > 0)
    .sort((a, b) => Number(a.n) - Number(b.n))
    .map(toCount)
  if (counts.length !== keys) throw new Error('the rate limit function missed a key')
  return counts
}

/**
 * Counts one hit of each key in a fixed window of its `windowSeconds` that starts at the key's
 * first hit, shared by every instance on the database. One statement for all the keys, so a
 * request that counts against several limits pays one round trip; the counts come back in the
 * keys' order.
 */
export async function hitRateLimits(
  db: Database,
  { keys, at }: { keys: readonly RateKey[]; at: Date },
): Promise<RateCount[]> {
  const rows = await db.ownerStatement<HitRow>(rateHits, [
    keysParam(keys),
    at.toISOString(),
    null,
    null,
    null,
    null,
  ])
  return countsInOrder(rows, keys.length)
}

/** A stream slot to take: one of `max` for the user, lapsing `ttlSeconds` after its last renewal. */
export interface StreamSlot {
  id: string
  userId: string
  max: number
  ttlSeconds: number
}

/** Whether the slot was taken; if not, `lapses` says when the oldest held one lapses. */
export type SlotOutcome = { taken: true } | { taken: false; lapses: Date | undefined }

/**
 * `hitRateLimits` and `takeStreamSlot` in one statement, for a request that streams. The slot is
 * taken only when no key went over its `quota`: a refused request holds nothing (and its
 * outcome has no `lapses`, since no slot was asked for).
 */
export async function hitRateLimitsTakingSlot(
  db: Database,
  { keys, at, slot }: { keys: readonly RateKey[]; at: Date; slot: StreamSlot },
): Promise<{ counts: RateCount[]; slot: SlotOutcome }> {
  const rows = await db.ownerStatement<HitRow>(rateHits, [
    keysParam(keys),
    at.toISOString(),
    slot.id,
    slot.userId,
    slot.max,
    slot.ttlSeconds,
  ])
  const taking = rows.find((row) => Number(row.n) === 0)
  return {
    counts: countsInOrder(rows, keys.length),
    slot:
      taking && taking.lapses === null
        ? { taken: true }
        : { taken: false, lapses: taking?.lapses ? new Date(taking.lapses) : undefined },
  }
}

export interface FailurePolicy {
  /** Failures in a row that cost no wait. */
  free: number
  /** The longest wait, in seconds. */
  maxSeconds: number
  /** A key quiet this long starts over. */
  forgetSeconds: number
}

/** Records a failure for `key`; `until` is when the next attempt is allowed. */
export async function recordFailure(
  db: Database,
  { key, at, policy }: { key: string; at: Date; policy: FailurePolicy },
): Promise<RateCount> {
  const rows = await db.ownerStatement<CountRow>(
    'select hits, until from parley_private.rate_fail($1, $2, $3, $4, $5)',
    [key, at.toISOString(), policy.free, policy.maxSeconds, policy.forgetSeconds],
  )
  return toCount(rows[0])
}

/** When `key` may next try, or undefined when it may now. */
export async function blockedUntil(
  db: Database,
  { key, at }: { key: string; at: Date },
): Promise<Date | undefined> {
  const rows = await db.ownerStatement<{ until: Date | string }>(
    'select until from parley_private.rate_counters where key = $1 and until > $2',
    [key, at.toISOString()],
  )
  return rows[0] ? new Date(rows[0].until) : undefined
}

export async function clearRateLimit(db: Database, key: string): Promise<void> {
  await db.ownerStatement('delete from parley_private.rate_counters where key = $1', [key])
}

/**
 * Takes one of `max` stream slots for the user under `id` (renewed by `renewStreams`, lapsing
 * `ttlSeconds` after the last renewal). Undefined when taken; else when the oldest slot lapses.
 */
export async function takeStreamSlot(
  db: Database,
  slot: StreamSlot & { at: Date },
): Promise<Date | undefined> {
  const rows = await db.ownerStatement<{ lapses: Date | string | null }>(
    'select parley_private.stream_take($1, $2, $3, $4, $5) as lapses',
    [slot.id, slot.userId, slot.max, slot.at.toISOString(), slot.ttlSeconds],
  )
  const lapses = rows[0]?.lapses
  return lapses ? new Date(lapses) : undefined
}

export async function renewStreamSlots(
  db: Database,
  { ids, expiresAt }: { ids: readonly string[]; expiresAt: Date },
): Promise<void> {
  if (ids.length === 0) return
  await db.ownerStatement(
    'update parley_private.live_streams set expires_at = $2 where id = any($1::uuid[])',
    [ids, expiresAt.toISOString()],
  )
}

export async function releaseStreamSlot(db: Database, id: string): Promise<void> {
  await db.ownerStatement('delete from parley_private.live_streams where id = $1', [id])
}

/** Forgets counters and stream slots that ended before `before`. */
export async function sweepRateLimits(db: Database, before: Date): Promise<number> {
  const rows = await db.ownerStatement<{ swept: number }>(
    'select parley_private.rate_sweep($1) as swept',
    [before.toISOString()],
  )
  return Number(rows[0]?.swept ?? 0)
}
