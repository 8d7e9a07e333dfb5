import type {
  ContextMessage,
  ConversationRow,
  MessageRow,
  TurnBudget,
  TurnProfile,
  Tx,
} from '@parley/db'
import type { CallReport, ModelAdmission, RouterRequest } from '@parley/llm'
import type { Citation, ErrorCode, VerifiedClaims } from '@parley/schema/contracts'
import type { Logger } from 'pino'
import type { QuestionEmbedding } from '../question-embedding.ts'
import type { HeldStreamSlot } from '../stream-limiter.ts'

/** What travels through every step of one turn: who asks, and how to log it. */
export interface TurnContext {
  claims: VerifiedClaims
  requestId: string
  logger: Logger
  /** A stream slot the request already holds; without one, a new turn takes its own. */
  streamSlot?: HeldStreamSlot
}

export type TurnRequest =
  | {
      kind: 'send'
      conversationId: string
      id?: string | undefined
      content: string
      model?: string | undefined
      /** Absent: the end of the shown thread; null: a new first message. */
      parentId?: string | null | undefined
      /** Without `parentId`: the last message the client shows (a hint, see `sendMessageBody`). */
      leafId?: string | undefined
    }
  | {
      kind: 'regenerate'
      conversationId: string
      messageId: string
      id?: string | undefined
      model?: string | undefined
    }

/** A turn whose user message and empty reply are stored, ready to be answered. */
export interface PreparedTurn {
  conversation: ConversationRow
  profile: TurnProfile
  userMessage: MessageRow
  assistantMessage: MessageRow
  model: string
  history: ContextMessage[]
  /** The conversation has no title and none was asked for yet: this exchange names it. */
  untitled: boolean
  /** The caller's budget row as the turn began (null: none written, the team default applies). */
  budget: TurnBudget | null
  /**
   * A send's question embedding (semantic search on), started before the prepare transaction:
   * retrieval's, and the new user message's own. Absent for a regenerate, whose question is older.
   */
  questionEmbedding?: QuestionEmbedding | undefined
}

/** A send or regenerate that already ran (same id): it is followed or read back, never run again. */
export interface ReplayedTurn {
  userMessage: MessageRow
  assistantMessage: MessageRow
}

export interface TurnUsage {
  inputTokens: number
  outputTokens: number
  cachedInputTokens: number
  costMicroUsd: number
  costUsd: number
}

export interface TurnEnd {
  assistantMessage: MessageRow
  conversation: ConversationRow
  usage: TurnUsage
  /** Why the reply is not complete; null when it is. */
  error: { code: ErrorCode; message: string } | null
  /**
   * False when the database could not store the outcome yet: it is kept in memory and
   * written as soon as the database answers (or one last time as the server shuts down).
   */
  saved: boolean
}

export interface Turn {
  userMessage: MessageRow
  assistantMessage: MessageRow
  /**
   * Streams the reply, calling `onDelta` with each piece of text (for a repeated send of a turn
   * that already ran, with what it has). Resolves when the reply is over, however it ended.
   * When `signal` aborts this reader leaves; see `RunOptions` for what happens to the reply.
   */
  run(signal: AbortSignal, onDelta: (text: string) => void, options?: RunOptions): Promise<TurnEnd>
}

/** A reply, by its conversation and its id. */
export interface ReplyRef {
  conversationId: string
  messageId: string
}

export interface RunOptions {
  /**
   * The reader may come back (a browser that reloads follows the reply again): when it was the
   * last one, the reply goes on for the reattach grace before it stops. Unset, it stops at once.
   */
  mayReattach?: boolean
}

/**
 * The **admission** seam: runs inside the prepare transaction, after the messages are written
 * and before anything is sent upstream, with the request the model would get without passages.
 * Throwing an `AppError` refuses the turn and rolls back every row it wrote (budgets and rate
 * limits plug in here).
 */
export type AdmissionStep = (
  tx: Tx,
  ctx: TurnContext,
  turn: PreparedTurn,
  request: RouterRequest,
) => Promise<Admission>

export interface Admission {
  /** Runs inside the settle transaction, whatever the outcome (a budget reservation settles here). */
  settle(tx: Tx, outcome: TurnOutcome): Promise<void>
  /**
   * Asked again, still in the prepare transaction, when the context step gave the model passages:
   * the request it will really get. Throwing an `AppError` refuses the turn as above.
   */
  admitContext?: (tx: Tx, request: RouterRequest) => Promise<void>
  /** Asked before each model the call tries (see `RouterRequest.admitModel`). */
  admitModel?: (next: ModelAdmission) => Promise<{ message: string } | null>
  /** Its reservations are released by the round trip that records the reply (`settle_turn`). */
  readonly settlesWithReply?: boolean
  /**
   * The turn was admitted without holding anything (nothing reserved, no model to ask about): a
   * call started before admission may stand. Unset, such a call is stopped and a new one made.
   */
  readonly waived?: boolean
}

/**
 * What a model call outside a turn (a title) holds while it runs: asked before each model it
 * tries, released in the transaction that records its usage.
 */
export interface CallHold {
  admitModel(next: ModelAdmission): Promise<{ message: string } | null>
  settle(tx: Tx): Promise<void>
}

/**
 * The **context** seam: passages to put before the model (retrieval), with what they cite. It
 * runs inside the prepare transaction (its reads see the turn's rows and the caller's RLS); a
 * step must not fail the turn for want of passages, and should cost nothing when it has none.
 * A step that would have to wait for something slow (an embedding) returns `DeferredContext`
 * instead: the transaction commits first, and the call starts once the passages are read.
 */
export type ContextStep = (
  tx: Tx,
  ctx: TurnContext,
  turn: PreparedTurn,
) => Promise<ContextPassage[] | DeferredContext>

/** A transaction as the turn's caller (their row-level security). */
export type ReadAsCaller = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>

/** Passages read after the prepare transaction has committed, so no wait holds it open. */
export interface DeferredContext {
  later(read: ReadAsCaller): Promise<ContextPassage[]>
}

export interface ContextPassage {
  /** The text the model reads; it is cited as `[n]`, n counting from 1 in this list's order. */
  text: string
  /** Where it came from: what the reply's citation of it stores and `done` sends. */
  source: Omit<Citation, 'index'>
}

/** The **settle** seam: more writes in the one transaction that records a turn's outcome. */
export type SettleStep = (tx: Tx, ctx: TurnContext, outcome: TurnOutcome) => Promise<void>

/** How a turn ended, as the settle steps see it. */
export interface TurnOutcome {
  turn: PreparedTurn
  report: CallReport
  /** The stored reply; null when the conversation was deleted while it streamed. */
  assistantMessage: MessageRow | null
  /** The passages the model was given, in the order it cites them. */
  passages: readonly ContextPassage[]
}
