import {
  type Database,
  hasUsageForMessage,
  type MessageRow,
  settleTurn as recordOutcome,
  releaseReplyBudget,
  type SettleTurnInput,
  setReplyCitations,
  updateMessage,
} from '@parley/db'
import { type CallReport, countEncodedTokens } from '@parley/llm'
import { type Citation, citedNumbers } from '@parley/schema/contracts'
import type { AppError } from '../../errors.ts'
import { endError, replyStatus, turnUsage, usageEvent } from './outcome.ts'
import type {
  Admission,
  ContextPassage,
  PreparedTurn,
  SettleStep,
  TurnContext,
  TurnEnd,
  TurnOutcome,
} from './turn-types.ts'

export interface SettleHooks {
  admissions: readonly Admission[]
  steps: readonly SettleStep[]
  /** The passages the model was given: the reply's citations are those it cites. */
  passages: readonly ContextPassage[]
  /** The call was stopped because the server is shutting down. */
  shutdown: boolean
}

/**
 * The **settle** step: records the outcome, whatever it was, in one transaction: the reply,
 * a usage event, the conversation's totals and the reply's budget reservations in one round
 * trip, then each admission's settlement and the settle steps, so they all hold or none does.
 * `again`: a retry of a write whose result was lost; it writes nothing if the first one held.
 */
export function settleTurn(
  db: Database,
  ctx: TurnContext,
  turn: PreparedTurn,
  report: CallReport,
  hooks: SettleHooks,
  { again = false }: { again?: boolean } = {},
): Promise<TurnEnd> {
  const input = {
    ...outcomeInput(ctx, turn, report, hooks.shutdown),
    settleBudget: hooks.admissions.some((admission) => admission.settlesWithReply),
  }
  // settle_turn, the first statement of a first attempt, needs the caller's claims: it goes out
  // behind them.
  return finishing(db, { pipelined: !again }).withUser(ctx.claims, async (tx) => {
    if (again && (await hasUsageForMessage(tx, turn.assistantMessage.id))) {
      return unsavedEnd(turn, report, hooks)
    }
    const recorded = await recordOutcome(tx, input)
    const citations = citedPassages(report.text, hooks.passages)
    const stored =
      recorded.assistantMessage && citations.length > 0
        ? await setReplyCitations(tx, turn.assistantMessage.id, citations)
        : recorded.assistantMessage
    const outcome: TurnOutcome = {
      turn,
      report,
      assistantMessage: stored,
      passages: hooks.passages,
    }
    for (const admission of hooks.admissions) await admission.settle(tx, outcome)
    for (const step of hooks.steps) await step(tx, ctx, outcome)
    const end = unsavedEnd(turn, report, hooks)
    return {
      ...end,
      assistantMessage: stored ?? end.assistantMessage,
      conversation: recorded.conversation ?? turn.conversation,
      saved: true,
    }
  })
}

/** How the turn ended as the client sees it, before (or without) the database's answer. */
export function unsavedEnd(
  turn: PreparedTurn,
  report: CallReport,
  { shutdown, passages }: Pick<SettleHooks, 'shutdown' | 'passages'>,
): TurnEnd {
  const { status, error } = replyStatus(report, shutdown)
  const assistantMessage: MessageRow = {
    ...turn.assistantMessage,
    content: report.text,
    status,
    model: report.model ?? turn.model,
    provider: report.provider,
    error,
    citations: citedPassages(report.text, passages),
  }
  return {
    assistantMessage,
    conversation: turn.conversation,
    usage: turnUsage(report.usage, report.costMicroUsd),
    // A stop is the user's choice, not a failure: the stored message still says `stopped`.
    error: error && (report.status !== 'aborted' || shutdown) ? endError(error) : null,
    saved: false,
  }
}

function outcomeInput(
  ctx: TurnContext,
  turn: PreparedTurn,
  report: CallReport,
  shutdown: boolean,
): SettleTurnInput {
  const { status, error } = replyStatus(report, shutdown)
  const usage = report.usage
  return {
    messageId: turn.assistantMessage.id,
    reply: {
      content: report.text,
      status,
      model: report.model ?? turn.model,
      provider: report.provider,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      cachedInputTokens: usage.cachedInputTokens,
      tokenCount: countEncodedTokens(report.text),
      costMicroUsd: report.costMicroUsd,
      ttftMs: report.ttftMs === null ? null : Math.round(report.ttftMs),
      latencyMs: Math.round(report.latencyMs),
      error,
      metadata: {
        ...(report.fallbackFrom
          ? { fallbackFrom: report.fallbackFrom, fallbackReason: report.fallbackReason }
          : {}),
        ...(report.autoReasons ? { autoReasons: report.autoReasons } : {}),
        ...(usage.estimated ? { usageEstimated: true } : {}),
      },
    },
    usage: usageEvent(report, turn.model, ctx.requestId, {
      conversationId: turn.conversation.id,
      messageId: turn.assistantMessage.id,
    }),
  }
}

/**
 * The passages a reply cites (`[n]`, `[n][m]` or `[n, m]` outside code), as citations numbered
 * as the model saw them.
 */
export function citedPassages(text: string, passages: readonly ContextPassage[]): Citation[] {
  if (passages.length === 0) return []
  const cited = new Set(citedNumbers(text))
  return passages.flatMap((passage, i) =>
    cited.has(i + 1) ? [{ index: i + 1, ...passage.source }] : [],
  )
}

/** Never leaves a reply `streaming` after a failure inside the server: keeps what arrived. */
export async function failTurn(
  db: Database,
  ctx: TurnContext,
  turn: PreparedTurn,
  text: string,
  beforeAnyCall?: { error: AppError },
): Promise<void> {
  const error = beforeAnyCall
    ? { code: beforeAnyCall.error.code, message: beforeAnyCall.error.message }
    : { code: 'internal_error', message: 'The reply could not be finished' }
  await finishing(db)
    .withUser(ctx.claims, async (tx) => {
      await updateMessage(tx, turn.assistantMessage.id, {
        content: text,
        status: text ? 'incomplete' : 'error',
        error,
      })
      // No model was called: nothing was spent, and what the turn reserved is free again.
      if (beforeAnyCall) await releaseReplyBudget(tx, turn.assistantMessage.id)
    })
    .catch(() => undefined)
}

/** A turn that began before an admin disabled the account still records its reply and cost. */
function finishing(db: Database, { pipelined = false } = {}): Pick<Database, 'withUser'> {
  return {
    withUser: (claims, fn) => db.withUser(claims, fn, { evenIfDisabled: true, pipelined }),
  }
}
