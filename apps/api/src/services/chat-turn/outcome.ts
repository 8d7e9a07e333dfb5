import type { MessageRow } from '@parley/db'
import type { CallReport, LlmErrorCode } from '@parley/llm'
import type { ErrorCode, NewUsageEvent } from '@parley/schema/contracts'
import type { TurnUsage } from './turn-types.ts'

/** What a reply the user stopped stores as its error: a choice, not a failure. */
export const stoppedError = { code: 'stopped', message: 'Stopped before the reply was finished' }

/** What a reply cut short by the server shutting down stores as its error. */
export const shutdownError = {
  code: 'server_shutdown',
  message: 'The server shut down before the reply was finished',
}

/**
 * The stored status and error of a reply, from how its call ended; `shutdown`: the call was
 * stopped because this server is shutting down, not by the user.
 */
export function replyStatus(
  report: CallReport,
  shutdown = false,
): {
  status: MessageRow['status']
  error: { code: string; message: string } | null
} {
  const status =
    report.status === 'ok' ? 'complete' : report.text.length > 0 ? 'incomplete' : 'error'
  const error =
    report.status === 'ok'
      ? null
      : report.status === 'aborted'
        ? shutdown
          ? shutdownError
          : stoppedError
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

/** Stored error codes (the model's, or the server's own) as the API reports them. */
const endErrorCode: Readonly<Record<string, ErrorCode>> = {
  context_length_exceeded: 'validation_error',
  provider_unavailable: 'provider_unavailable',
  rate_limited: 'provider_unavailable',
  timeout: 'provider_unavailable',
  server_shutdown: 'draining',
  interrupted: 'service_unavailable',
  // The only check that refuses a model mid-call is the budget's (a dearer fallback).
  refused: 'budget_exceeded',
} satisfies Partial<Record<LlmErrorCode | 'server_shutdown' | 'interrupted', ErrorCode>>

/** A stored model error as the API reports it. */
export function endError(error: { code: string; message: string }): {
  code: ErrorCode
  message: string
} {
  return { code: endErrorCode[error.code] ?? 'provider_error', message: error.message }
}
