import type { RouterStream } from '@parley/llm'
import { buildTurnRequest } from './build-request.ts'
import type { TurnSteps } from './turn-steps.ts'
import type { PreparedTurn, TurnContext } from './turn-types.ts'

export interface OpenedCall {
  call: RouterStream
  /** History messages left out to fit the model's context window. */
  droppedMessages: number
}

/**
 * The **context** step and the start of the provider call. The turn runs it inside the prepare
 * transaction, so the provider's first byte is awaited while the transaction commits; the
 * reply's events are only read once the commit has made the user's message durable.
 */
export async function openCall(
  steps: TurnSteps,
  ctx: TurnContext,
  turn: PreparedTurn,
  signal: AbortSignal,
): Promise<OpenedCall> {
  const passages = (await Promise.all(steps.context.map((step) => step(ctx, turn)))).flat()
  const { request, droppedMessages } = buildTurnRequest(turn, {
    models: steps.models.models,
    today: steps.today(),
    passages,
  })
  return { call: steps.router.stream(request, signal), droppedMessages }
}
