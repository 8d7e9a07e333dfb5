import type { ModelSpec } from '../catalog/model-spec.ts'
import type { ChatMessage } from '../types.ts'
import {
  calibrate,
  countEncodedTokens,
  isEstimate,
  MESSAGE_OVERHEAD_TOKENS,
  REPLY_PRIMING_TOKENS,
} from './count-tokens.ts'

type TokenizedSpec = Pick<ModelSpec, 'tokenizer'>

/** Output tokens reserved for the reply when the caller does not say: the model's cap, at most 16,000. */
export function defaultOutputReserve(spec: Pick<ModelSpec, 'maxOutputTokens'>): number {
  return Math.min(spec.maxOutputTokens, 16_000)
}

/** Safety margin for counting error and provider framing: 2% of the window plus 256 tokens. */
export function defaultMargin(spec: Pick<ModelSpec, 'contextWindow'>): number {
  return Math.ceil(spec.contextWindow * 0.02) + 256
}

/** Raw encoder count of a message, from its cached `tokenCount` when that is in the model's encoding. */
function rawCount(
  message: Pick<ChatMessage, 'content' | 'tokenCount'>,
  spec: TokenizedSpec,
): number {
  if (message.tokenCount !== undefined && spec.tokenizer.encoding === 'o200k_base') {
    return message.tokenCount
  }
  return countEncodedTokens(message.content, spec.tokenizer.encoding)
}

/** Tokens one message costs on the model, framing included. */
export function messageCost(
  message: Pick<ChatMessage, 'content' | 'tokenCount'>,
  spec: TokenizedSpec,
): number {
  return calibrate(rawCount(message, spec), spec.tokenizer) + MESSAGE_OVERHEAD_TOKENS
}

/** Estimated prompt tokens of a whole request on the model. */
export function estimatePromptTokens(
  system: string | undefined,
  messages: readonly Pick<ChatMessage, 'content' | 'tokenCount'>[],
  spec: TokenizedSpec,
): number {
  let total = REPLY_PRIMING_TOKENS
  if (system) total += messageCost({ content: system }, spec)
  for (const message of messages) total += messageCost(message, spec)
  return total
}

export interface BuildContextInput {
  system: string
  /** Earlier turns, oldest first, without the new user message. */
  history: readonly ChatMessage[]
  newUserMessage: string | ChatMessage
  model: ModelSpec
  /** Output tokens to keep free for the reply; defaults to `defaultOutputReserve(model)`. */
  reserveOutput?: number
  /** Extra tokens to keep free; defaults to `defaultMargin(model)`. */
  margin?: number
}

export interface BuiltContext {
  system: string
  /** Kept history then the new user message, in order, each with its raw `tokenCount` filled in. */
  messages: ChatMessage[]
  /** Estimated prompt tokens of `system` + `messages` on the model. */
  inputTokens: number
  /** `contextWindow - reserveOutput - margin`: the most the prompt may use. */
  budget: number
  reserveOutput: number
  /** Oldest history messages left out to fit the budget. */
  droppedMessages: number
  /** False when the system prompt and the new message alone exceed the budget (nothing else is kept). */
  fits: boolean
  /** True when the counts are calibrated estimates (models whose tokenizer is not public). */
  estimated: boolean
}

/**
 * Chooses what of a conversation to send: always the system prompt and the newest user message,
 * then as many of the most recent history messages as fit, dropping the oldest first. The kept
 * history is a contiguous suffix, so adding the newest dropped message would exceed the budget.
 * Cached `tokenCount`s are used as they are; only messages that are looked at and lack one are tokenised.
 */
export function buildContext(input: BuildContextInput): BuiltContext {
  const { model, history, system } = input
  const reserveOutput = input.reserveOutput ?? defaultOutputReserve(model)
  const margin = input.margin ?? defaultMargin(model)
  const budget = Math.max(0, model.contextWindow - reserveOutput - margin)
  const newest: ChatMessage =
    typeof input.newUserMessage === 'string'
      ? { role: 'user', content: input.newUserMessage }
      : input.newUserMessage
  const fillCounts = model.tokenizer.encoding === 'o200k_base'
  const withCount = (message: ChatMessage): ChatMessage =>
    fillCounts && message.tokenCount === undefined
      ? { ...message, tokenCount: countEncodedTokens(message.content) }
      : message

  const newestCounted = withCount(newest)
  let used =
    REPLY_PRIMING_TOKENS +
    (system ? messageCost({ content: system }, model) : 0) +
    messageCost(newestCounted, model)
  const fits = used <= budget

  const kept: ChatMessage[] = []
  if (fits) {
    for (let i = history.length - 1; i >= 0; i--) {
      const message = history[i]
      if (!message) continue
      const counted = withCount(message)
      const cost = messageCost(counted, model)
      if (used + cost > budget) break
      used += cost
      kept.push(counted)
    }
  }
  kept.reverse()
  kept.push(newestCounted)
  return {
    system,
    messages: kept,
    inputTokens: used,
    budget,
    reserveOutput,
    droppedMessages: history.length - (kept.length - 1),
    fits,
    estimated: isEstimate(model),
  }
}
