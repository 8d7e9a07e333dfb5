import type { AttemptReport, CallReport } from '@parley/llm'
import type { ErrorEvent } from './activity-log.ts'

/** Who asked, as the error log names it. */
export interface FailureContext {
  requestId: string
  userId: string
}

const statusText = (attempt: AttemptReport | undefined) =>
  attempt?.status ? ` (HTTP ${attempt.status})` : ''

/** One line from codes and counts only: the upstream's own wording never reaches the log. */
function describe(model: string, failed: AttemptReport[], outcome: string): string {
  const last = failed.at(-1)
  const tries = failed.length === 1 ? '1 attempt' : `${failed.length} attempts`
  return `${model} failed after ${tries}${statusText(last)}: ${last?.errorCode ?? last?.outcome ?? 'error'}; ${outcome}`
}

/**
 * The error log's rows for a model call: an `error` when no model answered, a `warning` when
 * the first model failed and a fallback answered; nothing for a success or a user's stop.
 */
export function providerFailures(report: CallReport, who: FailureContext): ErrorEvent[] {
  const failedAttempts = report.attempts.filter(
    (attempt) => attempt.outcome !== 'ok' && attempt.outcome !== 'aborted',
  )
  const base = { source: 'provider' as const, requestId: who.requestId, userId: who.userId }
  if (report.status === 'error') {
    const model = report.model ?? report.requestedModel
    const failed = failedAttempts.filter((attempt) => attempt.model === model)
    return [
      {
        ...base,
        severity: 'error',
        code: report.error?.code ?? 'provider_error',
        message: describe(model, failed, 'the reply failed'),
        status: failed.at(-1)?.status ?? null,
        provider: report.provider,
        model,
      },
    ]
  }
  if (report.status === 'ok' && report.fallbackFrom) {
    const failed = failedAttempts.filter((attempt) => attempt.model === report.fallbackFrom)
    return [
      {
        ...base,
        severity: 'warning',
        code: report.fallbackReason ?? 'provider_error',
        message: describe(
          report.fallbackFrom,
          failed,
          `${report.model ?? 'another model'} answered`,
        ),
        status: failed.at(-1)?.status ?? null,
        provider: failed.at(-1)?.provider ?? null,
        model: report.fallbackFrom,
      },
    ]
  }
  return []
}
