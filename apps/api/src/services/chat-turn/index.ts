import { type Database, getMessage, insertUsageEvent, type Tx } from '@parley/db'
import { countEncodedTokens } from '@parley/llm'
import { AppError, notFound, safeError } from '../../errors.ts'
import { messageEmbedOperation, QuestionEmbedding, questionChars } from '../question-embedding.ts'
import { buildTurnRequest } from './build-request.ts'
import { startEarlyCall } from './early-call.ts'
import { LiveTurns, onAbort } from './live-turns.ts'
import { type CallStart, type DeferredCall, type OpenedCall, openCall } from './open-call.ts'
import { type Prepared, prepareTurn } from './prepare.ts'
import { replayTurn } from './replay.ts'
import { runTurn } from './run-turn.ts'
import { failTurn } from './settle.ts'
import { inTurnStep, turnTraceParent } from './turn-spans.ts'
import { type ChatTurnDeps, type TurnSteps, turnSteps } from './turn-steps.ts'
import type {
  Admission,
  PreparedTurn,
  ReplayedTurn,
  ReplyRef,
  Turn,
  TurnContext,
  TurnRequest,
} from './turn-types.ts'

export type { LikelyTurn } from './held-threads.ts'
export type { ChatTurnDeps } from './turn-steps.ts'
export type * from './turn-types.ts'

export interface ChatTurns {
  /**
   * Prepares and admits a turn and starts its provider call, in one transaction (the user's
   * message and an empty reply are stored before any of the reply is read; a call whose context
   * waits for the question's embedding starts just after the commit; a send that follows the
   * reply this process stored last may start its call before the transaction, kept only if the
   * stored thread asks for the same request); `run` then streams it.
   * Throws `AppError`s for bad input or a refused admission, with nothing written.
   */
  start(ctx: TurnContext, request: TurnRequest): Promise<Turn>
  /**
   * One of the caller's replies, to read again: live from where it is when this process streams
   * it (a reloaded page reattaches), else as stored. `not_found` for anyone else's.
   */
  follow(ctx: TurnContext, reply: ReplyRef): Promise<Turn>
  /**
   * Stops one of the caller's replies now, if this process streams it (false otherwise: one
   * streamed elsewhere stops once its reader's connection has been gone for the grace).
   */
  stop(ctx: TurnContext, reply: ReplyRef): Promise<boolean>
  /**
   * Drops what this process holds of a conversation, or of every conversation of a user, for
   * early calls: told of each change made here, so that no call starts from what it was.
   */
  changed(scope: { conversationId: string } | { userId: string }): void
  /** How many replies this process is streaming. */
  readonly liveCount: number
  /** The replies this process answers for: streaming, or with an outcome waiting to be stored. */
  readonly ownedReplyIds: string[]
  /** True once `drain` was called: no new turn is accepted. */
  readonly draining: boolean
  /**
   * For shutdown: refuses new turns, lets live replies finish within `graceMs`, stops the rest
   * (they end with an error and are stored as `incomplete`, with their usage), then gives every
   * outcome still waiting for the database one last attempt.
   */
  drain(graceMs: number): Promise<void>
}

type Opened =
  | { kind: 'replay'; prepared: Extract<Prepared, { kind: 'replay' }> }
  | { kind: 'new'; turn: PreparedTurn; admissions: Admission[]; opened: OpenedCall }

type OpenedInTransaction =
  | Extract<Opened, { kind: 'replay' }>
  | { kind: 'new'; turn: PreparedTurn; admissions: Admission[]; opened: OpenedCall | DeferredCall }

export function createChatTurns(deps: ChatTurnDeps): ChatTurns {
  const steps = turnSteps(deps)
  const live = new LiveTurns()
  let draining = false

  async function start(ctx: TurnContext, request: TurnRequest): Promise<Turn> {
    if (draining) throw drainingError()
    const release = ctx.streamSlot?.take() ?? (await steps.streams.acquire(ctx.claims.sub))
    const upstream = new AbortController()
    const tokenCount = request.kind === 'send' ? countEncodedTokens(request.content) : 0
    const start = { signal: upstream.signal, parent: turnTraceParent(), tokenCount }
    const early = startEarlyCall(steps, ctx, request, start)
    const call = { ...start, early, question: questionEmbedding(steps, ctx, request) }
    const { question } = call
    let result: Opened
    try {
      const prepared = await steps.db
        // begin_turn, the first statement, needs the caller's claims: it goes out behind them.
        .withUser(ctx.claims, (tx) => open(steps, ctx, request, call, tx), {
          pipelined: true,
        })
        .catch((error: unknown) => {
          // Rolled back, with the question's usage row if the context step had written it.
          question?.unclaim()
          throw error
        })
      result = await openedAfterCommit(steps, ctx, prepared)
    } catch (error) {
      early?.discard()
      upstream.abort()
      release()
      abandonQuestion(steps, ctx, question)
      throw error
    }
    if (result.kind === 'replay') {
      early?.discard()
      release()
      abandonQuestion(steps, ctx, question)
      const { userMessage, assistantMessage } = result.prepared
      return replayTurn(
        steps.db,
        live,
        ctx,
        { userMessage, assistantMessage },
        steps.reattachGraceMs,
      )
    }
    return liveTurn(steps, live, ctx, result, { upstream, release })
  }

  async function drain(graceMs: number): Promise<void> {
    draining = true
    await within(live.idle(), graceMs)
    live.stopAll()
    // Outcomes waiting for the database get their last attempt now, while stopped replies settle.
    await Promise.all([live.idle(), steps.pending.drain()])
  }

  return {
    start,
    drain,
    follow: async (ctx, reply) =>
      replayTurn(
        steps.db,
        live,
        ctx,
        await storedReply(steps.db, ctx, reply),
        steps.reattachGraceMs,
      ),
    async stop(ctx, reply) {
      await storedReply(steps.db, ctx, reply)
      return live.stop(reply.messageId)
    },
    changed(scope) {
      if ('conversationId' in scope) steps.held?.forget(scope.conversationId)
      else steps.held?.forgetUser(scope.userId)
    },
    get liveCount() {
      return live.size
    },
    get ownedReplyIds() {
      return [...new Set([...live.ids, ...steps.pending.ids])]
    },
    get draining() {
      return draining
    },
  }
}

/** A new turn, streamed as a live reply: stopped by its client or by a shutdown. */
function liveTurn(
  steps: TurnSteps,
  live: LiveTurns,
  ctx: TurnContext,
  { turn, admissions, opened }: Extract<Opened, { kind: 'new' }>,
  call: { upstream: AbortController; release: () => void },
): Turn {
  const replyId = turn.assistantMessage.id
  return {
    userMessage: turn.userMessage,
    assistantMessage: turn.assistantMessage,
    run: (signal, onDelta, options) => {
      const ended = live
        .track(
          replyId,
          onDelta,
          (reply) => {
            onAbort(reply.shutdown, () => call.upstream.abort())
            onAbort(reply.stop, () => call.upstream.abort())
            return runTurn(steps, ctx, turn, admissions, opened, reply)
          },
          () => steps.pending.stored(replyId),
        )
        .finally(call.release)
      onAbort(signal, () =>
        live.leave(replyId, onDelta, options?.mayReattach ? steps.reattachGraceMs : 0),
      )
      return ended
    },
  }
}

/** One of the caller's replies and the message it answers; `not_found` for anyone else's. */
async function storedReply(db: Database, ctx: TurnContext, reply: ReplyRef): Promise<ReplayedTurn> {
  const found = await db.withUser(ctx.claims, async (tx) => {
    const assistantMessage = await getMessage(tx, reply.messageId)
    const userMessage = assistantMessage?.parentId
      ? await getMessage(tx, assistantMessage.parentId)
      : null
    return { assistantMessage, userMessage }
  })
  const { assistantMessage, userMessage } = found
  if (
    !assistantMessage ||
    !userMessage ||
    assistantMessage.role !== 'assistant' ||
    assistantMessage.conversationId !== reply.conversationId
  ) {
    throw notFound('message')
  }
  return { assistantMessage, userMessage }
}

const drainingError = () =>
  new AppError('draining', 'the server is shutting down; send the message again', {
    headers: { 'retry-after': '1' },
  })

/** Waits for `work`, at most `ms`. */
async function within(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms)
  })
  try {
    await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Inside the prepare transaction: **prepare**, **admit** (the request without passages), then
 * **context** (which admits what passages add) and the call.
 */
async function open(
  steps: TurnSteps,
  ctx: TurnContext,
  request: TurnRequest,
  {
    question,
    tokenCount,
    ...call
  }: CallStart & {
    question: QuestionEmbedding | undefined
    tokenCount: number
  },
  tx: Tx,
): Promise<OpenedInTransaction> {
  const prepared = await inTurnStep(ctx, 'prepare', () =>
    prepareTurn(tx, steps.models, request, tokenCount),
  )
  if (prepared.kind === 'replay') return { kind: 'replay', prepared }
  const turn: PreparedTurn = question
    ? { ...prepared.turn, questionEmbedding: question }
    : prepared.turn
  const base = buildTurnRequest(turn, {
    models: steps.models.models,
    today: steps.today(),
    passages: [],
  })
  const admissions = await inTurnStep(ctx, 'admit', async () => {
    const admitted: Admission[] = []
    for (const admit of steps.admission) admitted.push(await admit(tx, ctx, turn, base.request))
    return admitted
  })
  const opened = await openCall(steps, ctx, turn, call, tx, { base, admissions })
  return { kind: 'new', turn, admissions, opened }
}

/** A call whose context waited for the commit (an embedding still out) is opened now. */
async function openedAfterCommit(
  steps: TurnSteps,
  ctx: TurnContext,
  result: OpenedInTransaction,
): Promise<Opened> {
  if (result.kind === 'replay' || !('deferred' in result.opened)) {
    return result as Opened
  }
  try {
    const opened = await result.opened.open((fn) => steps.db.withUser(ctx.claims, fn))
    return { ...result, opened }
  } catch (error) {
    // The turn's messages are committed: its reply must not stay `streaming`. A refusal (the
    // passages cost more than the budget has left) is stored as the reply's error, and frees
    // what the turn reserved: no model was called.
    const refusal = error instanceof AppError ? { error } : undefined
    await failTurn(steps.db, ctx, result.turn, '', refusal)
    throw error
  }
}

/** A send's question, embedded while its turn is prepared (semantic search on). */
function questionEmbedding(
  steps: TurnSteps,
  ctx: TurnContext,
  request: TurnRequest,
): QuestionEmbedding | undefined {
  if (!steps.embedder || request.kind !== 'send') return undefined
  return new QuestionEmbedding(steps.embedder, request.content.slice(0, questionChars), {
    requestId: ctx.requestId,
    logger: ctx.logger,
    operation: messageEmbedOperation,
  })
}

/**
 * A question embedding no turn will use (refused, failed, or a repeated send): stopped if still
 * out, and its cost recorded if it was already paid for.
 */
function abandonQuestion(
  steps: TurnSteps,
  ctx: TurnContext,
  question: QuestionEmbedding | undefined,
): void {
  if (!question) return
  question.abandon()
  void question.result.then(async () => {
    const usage = question.claimUsage(messageEmbedOperation)
    if (!usage) return
    await steps.db
      .withUser(ctx.claims, (tx) => insertUsageEvent(tx, usage), { evenIfDisabled: true })
      .catch((error: unknown) =>
        ctx.logger.warn({ err: safeError(error) }, 'recording an unused question embedding'),
      )
  })
}
