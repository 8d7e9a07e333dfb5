import type { Database } from '@parley/db'
import type { CallReport, Embedder, Router } from '@parley/llm'
import type { ModelDirectory } from '../model-directory.ts'
import type { StreamLimiter } from '../stream-limiter.ts'
import { HeldThreads, type LikelyTurn } from './held-threads.ts'
import { PendingSettles, type SettleRetry } from './pending-settles.ts'
import type {
  AdmissionStep,
  CallHold,
  ContextStep,
  PreparedTurn,
  SettleStep,
  TurnContext,
  TurnEnd,
} from './turn-types.ts'

export interface ChatTurnDeps {
  db: Database
  models: ModelDirectory
  streams: StreamLimiter
  /** Minimum time between progress writes of a streaming reply (default 1 s). */
  progressIntervalMs?: number
  /** How long `done` waits for a first exchange's title (default 2 s). */
  titleWaitMs?: number
  /** How long a reply whose reader left may wait for it to come back (default 10 s). */
  reattachGraceMs?: number
  today?: () => string
  /** How an end-of-turn write the database refused is retried. */
  settleRetry?: SettleRetry
  /** The seams: steps other features add to every turn. */
  admission?: readonly AdmissionStep[]
  context?: readonly ContextStep[]
  settle?: readonly SettleStep[]
  /** What a title call holds while it runs (its budget reservation); none when unset. */
  titleHold?: (ctx: TurnContext, turn: PreparedTurn) => CallHold | undefined
  /** Told of every turn that reached a model, once it has ended (metrics, the error log). */
  onTurnEnd?: (report: CallReport, ctx: TurnContext) => void
  /**
   * Semantic search on: a send's question is embedded while its turn is prepared (never inside
   * its transaction), for retrieval and as the user message's own embedding.
   */
  embedder?: Embedder | undefined
  /** Told of every turn once its outcome was settled (or could not be stored yet: `end.saved`). */
  onSettled?: (ctx: TurnContext, turn: PreparedTurn, end: TurnEnd) => void
  /**
   * Whether a send likely to prepare `turn` may start its model call before it is prepared and
   * admitted: only when no admission would hold anything for it and no context step would add
   * passages. Unset, every call starts after admission.
   */
  mayCallEarly?: (turn: LikelyTurn) => boolean
  /** Told of every early call once its turn kept it, or stopped it (metrics). */
  onEarlyCall?: ((outcome: 'kept' | 'stopped') => void) | undefined
}

/** Everything the steps of a turn use, with the defaults filled in. */
export interface TurnSteps {
  db: Database
  models: ModelDirectory
  router: Router
  streams: StreamLimiter
  progressIntervalMs: number
  titleWaitMs: number
  reattachGraceMs: number
  today: () => string
  /** End-of-turn writes waiting for the database. */
  pending: PendingSettles
  admission: readonly AdmissionStep[]
  context: readonly ContextStep[]
  settle: readonly SettleStep[]
  titleHold: ((ctx: TurnContext, turn: PreparedTurn) => CallHold | undefined) | undefined
  onTurnEnd: (report: CallReport, ctx: TurnContext) => void
  embedder: Embedder | undefined
  onSettled: (ctx: TurnContext, turn: PreparedTurn, end: TurnEnd) => void
  /** The threads this process answered last; only when early calls are allowed. */
  held: HeldThreads | undefined
  mayCallEarly: (turn: LikelyTurn) => boolean
  onEarlyCall: (outcome: 'kept' | 'stopped') => void
}

export function turnSteps(deps: ChatTurnDeps): TurnSteps {
  return {
    db: deps.db,
    models: deps.models,
    router: deps.models.router,
    streams: deps.streams,
    progressIntervalMs: deps.progressIntervalMs ?? 1_000,
    titleWaitMs: deps.titleWaitMs ?? 2_000,
    reattachGraceMs: deps.reattachGraceMs ?? 10_000,
    today: deps.today ?? (() => new Date().toISOString().slice(0, 10)),
    pending: new PendingSettles(deps.settleRetry),
    admission: deps.admission ?? [],
    context: deps.context ?? [],
    settle: deps.settle ?? [],
    titleHold: deps.titleHold,
    onTurnEnd: deps.onTurnEnd ?? (() => {}),
    embedder: deps.embedder,
    onSettled: deps.onSettled ?? (() => {}),
    held: deps.mayCallEarly
      ? new HeldThreads({ historyTokens: () => deps.models.largestContextWindow() })
      : undefined,
    mayCallEarly: deps.mayCallEarly ?? (() => false),
    onEarlyCall: deps.onEarlyCall ?? (() => {}),
  }
}
