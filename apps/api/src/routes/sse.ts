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
