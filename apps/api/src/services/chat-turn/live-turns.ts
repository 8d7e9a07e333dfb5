import type { TurnEnd } from './turn-types.ts'

/** A reply being streamed by this process: its text so far and who is reading it. */
export interface LiveReply {
  readonly text: string
  /** Adds a piece of text and hands it to every reader. */
  append(text: string): void
  /** Aborted when the server stops the reply because it is shutting down. */
  readonly shutdown: AbortSignal
}

interface Entry {
  progress: { text: string; readers: Set<(text: string) => void> }
  end: Promise<TurnEnd>
  /** Resolves once the reply is over and its outcome stored (or given up on). */
  settled: Promise<void>
  shutdown: AbortController
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
    onDelta: (text: string) => void,
    produce: (reply: LiveReply) => Promise<TurnEnd>,
    stored: () => Promise<void> = async () => {},
  ): Promise<TurnEnd> {
    const progress = { text: '', readers: new Set([onDelta]) }
    const shutdown = new AbortController()
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
    }
    const end = produce(reply)
    const settled = end.then(stored, () => undefined).finally(() => this.#entries.delete(replyId))
    this.#entries.set(replyId, { progress, end, settled, shutdown })
    return end
  }

  /** Follows a live reply from what it has so far; undefined when this process is not streaming it. */
  follow(replyId: string, onDelta: (text: string) => void): Promise<TurnEnd> | undefined {
    const entry = this.#entries.get(replyId)
    if (!entry) return undefined
    const { progress, end } = entry
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
