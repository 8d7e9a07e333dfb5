import type { Message } from '@parley/schema/contracts'
import { formatCost, formatTokens } from '../../../lib/format-usage.ts'

/** The model, tokens and cost of one reply. */
export function ReplyUsage({ message }: { message: Message }) {
  const parts: string[] = []
  if (message.model) parts.push(message.model)
  if (message.inputTokens !== null || message.outputTokens !== null) {
    parts.push(
      `${formatTokens(message.inputTokens ?? 0)} in · ${formatTokens(message.outputTokens ?? 0)} out`,
    )
  }
  if (message.status !== 'streaming') parts.push(formatCost(message.costMicroUsd))
  if (parts.length === 0) return null
  return (
    <span
      className="message__usage"
      title={`${message.inputTokens ?? 0} input tokens, ${message.outputTokens ?? 0} output tokens`}
    >
      {parts.join(' · ')}
    </span>
  )
}
