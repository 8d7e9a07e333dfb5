import { monitorEventLoopDelay } from 'node:perf_hooks'

const nextSample = () => new Promise((resolve) => setTimeout(resolve, 25))

/**
 * The longest event-loop delay, in milliseconds, while `work` runs (synchronous, or until its
 * promise settles): how long any other request on the server could have waited. Sampled every
 * 10 ms.
 */
export async function eventLoopLagDuring(work: () => unknown): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 10 })
  histogram.enable()
  try {
    await nextSample()
    await work()
    // the sampling timer fires once more after the work, recording how late it was
    await nextSample()
  } finally {
    histogram.disable()
  }
  return histogram.max / 1e6
}
