import type { TurnEnd } from './turn-types.ts'

/** A reply being streamed by this process: its text so far and who is reading it. */
export interface LiveReply {
  readonly text: string
  /** Adds a piece of text and hands it to every reader. */
  append(text: string): void
  /** Aborted when the server stops the reply because it is shutting down. */
  readonly shutdown: AbortSignal
  /** Aborted when its user stops the reply, or every reader left and none came back in time. */
  readonly stop: AbortSignal
}

type Reader = (text: string) => void

interface Entry {
  progress: { text: string; readers: Set<Reader> }
  end: Promise<TurnEnd>
  /** Resolves once the reply is over and its outcome stored (or given up on). */
  settled: Promise<void>
  shutdown: AbortController
  stop: AbortController
  /** Set while nobody reads the reply: stops it unless a reader comes back first. */
  unread?: ReturnType<typeof setTimeout> | undefined
}

/**
 * The replies this process is streaming, by assistant message id, so that a repeated send of
 * the same turn follows the live reply instead of starting another, and a shutdown can stop them.
 */
export class LiveTurns {
  readonly #entries = new Map<string, Entry>()
  #stopping = false

  get size(): number {
    return this.#entries.size
  }

  /** The ids of the replies being streamed. */
  get ids(): string[] {
    return [...this.#entries.keys()]
  }

  /**
   * Registers the reply while `produce` streams it; the first reader is `onDelta`. The reply
   * stays followable until `stored` resolves (its outcome may wait in memory for the database).
   */
  track(
    replyId: string,
    onDelta: Reader,
    produce: (reply: LiveReply) => Promise<TurnEnd>,
    stored: () => Promise<void> = async () => {},
  ): Promise<TurnEnd> {
    const progress = { text: '', readers: new Set([onDelta]) }
    const shutdown = new AbortController()
    const stop = new AbortController()
    if (this.#stopping) shutdown.abort()
    const reply: LiveReply = {
      get text() {
        return progress.text
      },
      append(text) {
        progress.text += text
        for (const reader of progress.readers) reader(text)
      },
      shutdown: shutdown.signal,
      stop: stop.signal,
    }
    const entry: Entry = {
      progress,
      end: produce(reply),
      settled: Promise.resolve(),
      shutdown,
      stop,
    }
    entry.settled = entry.end
      .then(stored, () => undefined)
      .finally(() => {
        clearTimeout(entry.unread)
        this.#entries.delete(replyId)
      })
    this.#entries.set(replyId, entry)
    return entry.end
  }

  /**
   * A reader went away (its connection closed). The reply goes on; once nobody has read it for
   * `graceMs` (at once for 0), it is stopped, as a Stop would. A reader that comes back within
   * the grace (a reloaded page) carries on reading.
   */
  leave(replyId: string, reader: Reader, graceMs: number): void {
    const entry = this.#entries.get(replyId)
    if (!entry?.progress.readers.delete(reader) || entry.progress.readers.size > 0) return
    if (graceMs <= 0) {
      entry.stop.abort()
      return
    }
    clearTimeout(entry.unread)
    entry.unread = setTimeout(() => entry.stop.abort(), graceMs)
    entry.unread.unref?.()
  }

  /** Stops a live reply at its user's request; false when this process is not streaming it. */
  stop(replyId: string): boolean {
    const entry = this.#entries.get(replyId)
    entry?.stop.abort()
    return entry !== undefined
  }

  /** Follows a live reply from what it has so far; undefined when this process is not streaming it. */
  follow(replyId: string, onDelta: Reader): Promise<TurnEnd> | undefined {
    const entry = this.#entries.get(replyId)
    if (!entry) return undefined
    const { progress, end } = entry
    clearTimeout(entry.unread)
    entry.unread = undefined
    if (progress.text) onDelta(progress.text)
    progress.readers.add(onDelta)
    return end.finally(() => progress.readers.delete(onDelta))
  }

  /** Stops every live reply, and any tracked from now on, because the server is shutting down. */
  stopAll(): void {
    this.#stopping = true
    for (const entry of this.#entries.values()) entry.shutdown.abort()
  }

  /** Resolves once no reply is live or waiting to be stored (replies tracked meanwhile included). */
  async idle(): Promise<void> {
    while (this.#entries.size > 0) {
      await Promise.allSettled([...this.#entries.values()].map((entry) => entry.settled))
    }
  }
}

/** Runs `act` once `signal` aborts (at once when it already has). */
export function onAbort(signal: AbortSignal, act: () => void): void {
  if (signal.aborted) act()
  else signal.addEventListener('abort', act, { once: true })
}
