import { LiveTurns } from './live-turns.ts'
import { type Prepared, prepareTurn } from './prepare.ts'
import { replayTurn } from './replay.ts'
import { runTurn } from './run-turn.ts'
import { type ChatTurnDeps, turnSteps } from './turn-steps.ts'
import type { Admission, Turn, TurnContext, TurnRequest } from './turn-types.ts'

export type { ChatTurnDeps } from './turn-steps.ts'
export type * from './turn-types.ts'

export interface ChatTurns {
  /**
   * Prepares and admits a turn (the user's message and an empty reply stored in one
   * transaction, before any model is called); `run` then answers it. Throws `AppError`s for bad
   * input or a refused admission, with nothing written.
   */
  start(ctx: TurnContext, request: TurnRequest): Promise<Turn>
  /** How many replies this process is streaming. */
  readonly liveCount: number
}

export function createChatTurns(deps: ChatTurnDeps): ChatTurns {
  const steps = turnSteps(deps)
  const live = new LiveTurns()

  async function start(ctx: TurnContext, request: TurnRequest): Promise<Turn> {
    const release = steps.streams.acquire(ctx.claims.sub)
    let opened: { prepared: Prepared; admissions: Admission[] }
    try {
      opened = await steps.db.withUser(ctx.claims, async (tx) => {
        const prepared = await prepareTurn(tx, steps.models, request)
        const admissions: Admission[] = []
        if (prepared.kind === 'new') {
          for (const admit of steps.admission) admissions.push(await admit(tx, ctx, prepared.turn))
        }
        return { prepared, admissions }
      })
    } catch (error) {
      release()
      throw error
    }
    const { prepared, admissions } = opened
    if (prepared.kind === 'replay') {
      release()
      const { userMessage, assistantMessage } = prepared
      return replayTurn(steps.db, live, ctx, { userMessage, assistantMessage })
    }
    const { turn } = prepared
    return {
      userMessage: turn.userMessage,
      assistantMessage: turn.assistantMessage,
      run: (signal, onDelta) =>
        live
          .track(turn.assistantMessage.id, onDelta, (reply) =>
            runTurn(steps, ctx, turn, admissions, reply, signal),
          )
          .finally(release),
    }
  }

  return {
    start,
    get liveCount() {
      return live.size
    },
  }
}
