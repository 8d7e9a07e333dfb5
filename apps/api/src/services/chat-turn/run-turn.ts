import type { CallReport } from '@parley/llm'
import type { LiveReply } from './live-turns.ts'
import type { OpenedCall } from './open-call.ts'
import { failTurn, settleTurn, unsavedEnd } from './settle.ts'
import { streamReply } from './stream-reply.ts'
import { titleWithin } from './title.ts'
import { inTurnStep } from './turn-spans.ts'
import type { TurnSteps } from './turn-steps.ts'
import type { Admission, PreparedTurn, TurnContext, TurnEnd } from './turn-types.ts'

/**
 * Answers a prepared, admitted turn whose call is open: stream, settle, and the title of a
 * first exchange. However it ends, the reply is left settled or failed, never `streaming`.
 */
export async function runTurn(
  steps: TurnSteps,
  ctx: TurnContext,
  turn: PreparedTurn,
  admissions: readonly Admission[],
  opened: OpenedCall,
  reply: LiveReply,
): Promise<TurnEnd> {
  try {
    const report = await streamReply(steps, ctx, turn, opened.call, reply)
    const hooks = {
      admissions,
      steps: steps.settle,
      passages: opened.passages,
      shutdown: reply.shutdown.aborted && report.status === 'aborted',
    }
    const end = await inTurnStep(ctx, 'settle', () =>
      steps.pending.settle(ctx.logger, turn.assistantMessage.id, {
        first: () => settleTurn(steps.db, ctx, turn, report, hooks),
        rewrite: () => settleTurn(steps.db, ctx, turn, report, hooks, { again: true }),
        unsaved: () => unsavedEnd(turn, report, hooks),
      }),
    )
    steps.onSettled(ctx, turn, end)
    steps.held?.remember(turn, end)
    if (turn.untitled && end.saved) {
      const { conversation } = end
      end.conversation = await inTurnStep(ctx, 'title', () =>
        titleWithin(steps, ctx, turn, report.text, conversation),
      )
    }
    logTurn(ctx, turn, report, opened.droppedMessages)
    steps.onTurnEnd(report, ctx)
    return end
  } catch (error) {
    await failTurn(steps.db, ctx, turn, reply.text)
    throw error
  }
}

function logTurn(ctx: TurnContext, turn: PreparedTurn, report: CallReport, dropped: number) {
  ctx.logger.info(
    {
      userId: ctx.claims.sub,
      conversationId: turn.conversation.id,
      status: report.status,
      model: report.model,
      provider: report.provider,
      fallbackFrom: report.fallbackFrom,
      attempts: report.attemptCount,
      ttftMs: report.ttftMs,
      latencyMs: report.latencyMs,
      inputTokens: report.usage.inputTokens,
      outputTokens: report.usage.outputTokens,
      costMicroUsd: report.costMicroUsd,
      droppedMessages: dropped,
      ...(report.error ? { errorCode: report.error.code } : {}),
    },
    'turn',
  )
}
