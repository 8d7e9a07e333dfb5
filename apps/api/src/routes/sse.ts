import type { StreamEventData, StreamEventName } from '@parley/schema/contracts'

/** The event's data as handed to `JSON.stringify`, which writes Dates as ISO strings. */
export type Wire<T> = T extends string
  ? string | Date
  : T extends (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T

/** One server-sent event of the chat stream, framed. */
export function sseFrame<E extends StreamEventName>(
  event: E,
  data: Wire<StreamEventData<E>>,
): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}

/** A comment line: keeps idle proxies from closing the connection while a slow model thinks. */
export const sseKeepAlive = ': keep-alive\n\n'

/** A browser paints at most once per frame: deltas closer together than this travel as one. */
export const DELTA_WINDOW_MS = 16

/**
 * Frames a reply's text as `delta` events, joining pieces that arrive within `windowMs` of the
 * last write. The first piece goes out at once, so time to first token is untouched; after that
 * the client gets at most one delta per window instead of one write (a syscall, a chunk to parse)
 * per token. `flush` before the final event, so no text is held back.
 */
export function deltaWriter(write: (frame: string) => void, windowMs = DELTA_WINDOW_MS) {
  let pending = ''
  let lastWrite = Number.NEGATIVE_INFINITY
  let timer: ReturnType<typeof setTimeout> | undefined
  const flush = () => {
    clearTimeout(timer)
    timer = undefined
    if (pending === '') return
    lastWrite = performance.now()
    write(sseFrame('delta', { text: pending }))
    pending = ''
  }
  const push = (text: string) => {
    pending += text
    if (timer) return
    const wait = lastWrite + windowMs - performance.now()
    if (wait <= 0) flush()
    else timer = setTimeout(flush, wait)
  }
  return { push, flush }
}
