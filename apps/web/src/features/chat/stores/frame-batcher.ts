type Schedule = (callback: () => void) => unknown

/**
 * Collects text pieces per key and hands them over at most once per animation frame, so a
 * stream of hundreds of tiny deltas costs one render per frame instead of one per delta.
 */
export function createFrameBatcher(
  flush: (pieces: Map<string, string>) => void,
  schedule: Schedule = (callback) => requestAnimationFrame(callback),
) {
  let pending = new Map<string, string[]>()
  let scheduled = false

  const run = () => {
    scheduled = false
    if (pending.size === 0) return
    const batch = new Map<string, string>()
    for (const [key, pieces] of pending) batch.set(key, pieces.join(''))
    pending = new Map()
    flush(batch)
  }

  return {
    push(key: string, piece: string) {
      const pieces = pending.get(key)
      if (pieces) pieces.push(piece)
      else pending.set(key, [piece])
      if (!scheduled) {
        scheduled = true
        schedule(run)
      }
    },
    /** Hands over what is pending now (a stream ended; its last words must not wait a frame). */
    flushNow: run,
  }
}
