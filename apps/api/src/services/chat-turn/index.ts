import type { Tx } from '@parley/db'
import { LiveTurns } from './live-turns.ts'
import { type OpenedCall, openCall } from './open-call.ts'
import { type Prepared, prepareTurn } from './prepare.ts'
import { replayTurn } from './replay.ts'
import { runTurn } from './run-turn.ts'
import { type ChatTurnDeps, type TurnSteps, turnSteps } from './turn-steps.ts'
import type { Admission, PreparedTurn, Turn, TurnContext, TurnRequest } from './turn-types.ts'

export type { ChatTurnDeps } from './turn-steps.ts'
export type * from './turn-types.ts'

export interface ChatTurns {
  /**
   * Prepares and admits a turn and starts its provider call, in one transaction (the user's
   * message and an empty reply are stored before any of the reply is read); `run` then streams
   * it. Throws `AppError`s for bad input or a refused admission, with nothing written.
   */
  start(ctx: TurnContext, request: TurnRequest): Promise<Turn>
  /** How many replies this process is streaming. */
  readonly liveCount: number
}

type Opened =
  | { kind: 'replay'; prepared: Extract<Prepared, { kind: 'replay' }> }
  | { kind: 'new'; turn: PreparedTurn; admissions: Admission[]; opened: OpenedCall }

export function createChatTurns(deps: ChatTurnDeps): ChatTurns {
  const steps = turnSteps(deps)
  const live = new LiveTurns()

  async function start(ctx: TurnContext, request: TurnRequest): Promise<Turn> {
    const release = await steps.streams.acquire(ctx.claims.sub)
    const upstream = new AbortController()
    let result: Opened
    try {
      result = await steps.db.withUser(ctx.claims, (tx) =>
        open(steps, ctx, request, upstream.signal, tx),
      )
    } catch (error) {
      upstream.abort()
      release()
      throw error
    }
    if (result.kind === 'replay') {
      release()
      const { userMessage, assistantMessage } = result.prepared
      return replayTurn(steps.db, live, ctx, { userMessage, assistantMessage })
    }
    const { turn, admissions, opened } = result
    return {
      userMessage: turn.userMessage,
      assistantMessage: turn.assistantMessage,
      run: (signal, onDelta) => {
        if (signal.aborted) upstream.abort()
        else signal.addEventListener('abort', () => upstream.abort(), { once: true })
        return live
          .track(turn.assistantMessage.id, onDelta, (reply) =>
            runTurn(steps, ctx, turn, admissions, opened, reply),
          )
          .finally(release)
      },
    }
  }

  return {
    start,
    get liveCount() {
      return live.size
    },
  }
}

/** Inside the prepare transaction: **prepare**, **admit**, then **context** and the call. */
async function open(
  steps: TurnSteps,
  ctx: TurnContext,
  request: TurnRequest,
  signal: AbortSignal,
  tx: Tx,
): Promise<Opened> {
  const prepared = await prepareTurn(tx, steps.models, request)
  if (prepared.kind === 'replay') return { kind: 'replay', prepared }
  const admissions: Admission[] = []
  for (const admit of steps.admission) admissions.push(await admit(tx, ctx, prepared.turn))
  const opened = await openCall(steps, ctx, prepared.turn, signal)
  return { kind: 'new', turn: prepared.turn, admissions, opened }
}
