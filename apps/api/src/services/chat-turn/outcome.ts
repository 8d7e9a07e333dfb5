import type { MessageRow } from '@parley/db'
import type { CallReport, LlmErrorCode } from '@parley/llm'
import type { ErrorCode, NewUsageEvent } from '@parley/schema/contracts'
import type { TurnUsage } from './turn-types.ts'

/** What a reply the user stopped stores as its error: a choice, not a failure. */
export const stoppedError = { code: 'stopped', message: 'Stopped before the reply was finished' }

/** The stored status and error of a reply, from how its call ended. */
export function replyStatus(report: CallReport): {
  status: MessageRow['status']
  error: { code: string; message: string } | null
} {
  const status =
    report.status === 'ok' ? 'complete' : report.text.length > 0 ? 'incomplete' : 'error'
  const error =
    report.status === 'ok'
      ? null
      : report.status === 'aborted'
        ? stoppedError
        : {
            code: report.error?.code ?? 'provider_error',
            message: report.error?.message ?? 'The model provider failed to answer',
          }
  return { status, error }
}

/** The usage ledger row of one model call. */
export function usageEvent(
  report: CallReport,
  requestedModel: string,
  requestId: string,
  refs: { conversationId: string | null; messageId: string | null },
): NewUsageEvent {
  return {
    ...refs,
    requestId,
    provider: report.provider ?? 'none',
    model: report.model ?? requestedModel,
    promptName: report.prompt?.name ?? null,
    promptVersion: report.prompt?.version ?? null,
    inputTokens: report.usage.inputTokens,
    outputTokens: report.usage.outputTokens,
    cachedInputTokens: report.usage.cachedInputTokens,
    reasoningTokens: report.usage.reasoningTokens,
    costMicroUsd: report.costMicroUsd,
    ttftMs: report.ttftMs === null ? null : Math.round(report.ttftMs),
    latencyMs: Math.round(report.latencyMs),
    status: report.status,
    errorCode: report.error?.code ?? null,
    attempts: report.attemptCount,
    fallbackFrom: report.fallbackFrom,
  }
}

export function turnUsage(
  tokens: { inputTokens: number; outputTokens: number; cachedInputTokens: number },
  costMicroUsd: number,
): TurnUsage {
  return {
    inputTokens: tokens.inputTokens,
    outputTokens: tokens.outputTokens,
    cachedInputTokens: tokens.cachedInputTokens,
    costMicroUsd,
    costUsd: costMicroUsd / 1_000_000,
  }
}

const unavailable = new Set<string>([
  'provider_unavailable',
  'rate_limited',
  'timeout',
] satisfies LlmErrorCode[])

/** A stored model error as the API reports it. */
export function endError(error: { code: string; message: string }): {
  code: ErrorCode
  message: string
} {
  const code: ErrorCode =
    error.code === 'context_length_exceeded'
      ? 'validation_error'
      : unavailable.has(error.code)
        ? 'provider_unavailable'
        : 'provider_error'
  return { code, message: error.message }
}
