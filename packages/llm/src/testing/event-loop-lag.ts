import { monitorEventLoopDelay } from 'node:perf_hooks'

const nextSample = () => new Promise((resolve) => setTimeout(resolve, 25))

/**
 * The longest event-loop delay, in milliseconds, around synchronous `work`: how long every other
 * request on the server would have waited for it. Sampled every 10 ms.
 */
export async function eventLoopLagDuring(work: () => void): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 10 })
  histogram.enable()
  await nextSample()
  work()
  // the sampling timer fires once more after the work, recording how late it was
  await nextSample()
  histogram.disable()
  return histogram.max / 1e6
}
