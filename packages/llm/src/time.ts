export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>
export type Clock = () => number

/** Waits `ms`, or less if `signal` aborts first; never rejects. */
export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) {
      resolve()
      return
    }
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })

export const monotonicNow: Clock = () => performance.now()
