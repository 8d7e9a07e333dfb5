import type { TurnEnd } from './turn-types.ts'

/** A reply being streamed by this process: its text so far and who is reading it. */
export interface LiveReply {
  readonly text: string
  /** Adds a piece of text and hands it to every reader. */
  append(text: string): void
}

interface Entry {
  progress: { text: string; readers: Set<(text: string) => void> }
  end: Promise<TurnEnd>
}

/**
 * The replies this process is streaming, by assistant message id, so that a repeated send of
 * the same turn follows the live reply instead of starting another.
 */
export class LiveTurns {
  readonly #entries = new Map<string, Entry>()

  get size(): number {
    return this.#entries.size
  }

  /** Registers the reply while `produce` streams it; the first reader is `onDelta`. */
  track(
    replyId: string,
    onDelta: (text: string) => void,
    produce: (reply: LiveReply) => Promise<TurnEnd>,
  ): Promise<TurnEnd> {
    const progress = { text: '', readers: new Set([onDelta]) }
    const reply: LiveReply = {
      get text() {
        return progress.text
      },
      append(text) {
        progress.text += text
        for (const reader of progress.readers) reader(text)
      },
    }
    const end = produce(reply).finally(() => this.#entries.delete(replyId))
    this.#entries.set(replyId, { progress, end })
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
}
