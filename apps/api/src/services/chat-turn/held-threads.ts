import type { ContextMessage, MessageRow } from '@parley/db'
import { LRUCache } from 'lru-cache'
import type { TurnRequestSource } from './build-request.ts'
import type { PreparedTurn, TurnEnd, TurnRequest } from './turn-types.ts'

/** A send, as the turn it would most likely prepare: what an early call is built from. */
export interface LikelyTurn extends TurnRequestSource {
  /** The caller's budget row as the last turn there began. */
  budget: PreparedTurn['budget']
}

/** What this process last stored in one conversation, as the next turn there would read it. */
interface HeldThread {
  turn: Omit<LikelyTurn, 'userMessage'>
  /** The reply that ends the thread: a send that names it follows on from `turn.history`. */
  leafId: string
}

export interface HeldThreadsOptions {
  /** The history budget `begin_turn` is given: the held history is cut the same way. */
  historyTokens: () => number
  /** At most this many conversations are held (least recently used go first). */
  maxThreads?: number
  /** At most this many characters of history are held in all. */
  maxChars?: number
}

/**
 * The threads this process answered last, held so that the next send in one of them can start
 * its model call before `begin_turn` has read the stored history. A hint, never a source of
 * truth: the call is kept only when the request built from the stored history is the same.
 */
export class HeldThreads {
  readonly #threads: LRUCache<string, HeldThread>
  readonly #historyTokens: () => number

  constructor(options: HeldThreadsOptions) {
    this.#historyTokens = options.historyTokens
    this.#threads = new LRUCache({
      max: options.maxThreads ?? 2_000,
      maxSize: options.maxChars ?? 16_000_000,
      sizeCalculation: (thread) =>
        1 + thread.turn.history.reduce((chars, message) => chars + message.content.length, 0),
    })
  }

  /** Holds the thread as a settled turn left it (forgets it when the outcome is not stored). */
  remember(turn: PreparedTurn, end: TurnEnd): void {
    const id = turn.conversation.id
    if (!end.saved) {
      this.#threads.delete(id)
      return
    }
    const history = [...turn.history, contextOf(turn.userMessage), contextOf(end.assistantMessage)]
    this.#threads.set(id, {
      turn: {
        conversation: end.conversation,
        profile: turn.profile,
        model: turn.model,
        history: withinTokens(history, this.#historyTokens()),
        budget: turn.budget,
      },
      leafId: end.assistantMessage.id,
    })
  }

  /** Forgets a conversation: it changed, or its held thread proved wrong. */
  forget(conversationId: string): void {
    this.#threads.delete(conversationId)
  }

  /** Forgets every conversation of a user (their profile, budget or account changed). */
  forgetUser(userId: string): void {
    for (const [id, thread] of this.#threads.entries()) {
      if (thread.turn.conversation.userId === userId) this.#threads.delete(id)
    }
  }

  /**
   * The turn `request` would prepare if the thread is still as this process left it: only for a
   * send by the same user that names the held reply as the one it follows (`parentId`, or the
   * client's `leafId` when it sends at the end of the thread).
   */
  likelyTurn(
    userId: string,
    request: TurnRequest,
    question: { tokenCount: number; model: string | null },
  ): LikelyTurn | undefined {
    if (request.kind !== 'send') return undefined
    const held = this.#threads.get(request.conversationId)
    const follows = request.parentId === undefined ? request.leafId : request.parentId
    if (!held || held.turn.conversation.userId !== userId || follows !== held.leafId) {
      return undefined
    }
    return {
      ...held.turn,
      model: question.model ?? held.turn.model,
      userMessage: { role: 'user', content: request.content, tokenCount: question.tokenCount },
    }
  }
}

const contextOf = (message: MessageRow): ContextMessage => ({
  id: message.id,
  role: message.role,
  content: message.content,
  tokenCount: message.tokenCount,
  status: message.status,
})

/**
 * The newest messages `begin_turn`'s walk keeps: each is taken while those after it hold fewer
 * than `budget` tokens (so the one that crosses the budget is kept), at most 10,000.
 */
export function withinTokens(history: readonly ContextMessage[], budget: number): ContextMessage[] {
  let tokens = 0
  let from = history.length
  while (from > 0 && tokens < budget && history.length - from < 10_000) {
    from--
    tokens += history[from]?.tokenCount ?? 0
  }
  return history.slice(from)
}
