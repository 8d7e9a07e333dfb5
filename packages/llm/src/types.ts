import type { LlmError } from './errors.ts'

/** One turn of a conversation as models see it; the system prompt travels separately. */
export interface ChatMessage {
  role: 'user' | 'assistant'
  content: string
  /**
   * Raw `o200k_base` token count of `content` (what `countEncodedTokens` returns), cached by the
   * caller so a long history is not re-tokenised every turn. Calibration per model is applied on top.
   */
  tokenCount?: number
}

/** What a provider adapter is asked to do: one chat completion against one upstream model. */
export interface ChatRequest {
  /** The provider's own model name (`ModelSpec.upstreamModel`). */
  model: string
  system?: string
  messages: readonly ChatMessage[]
  maxOutputTokens: number
  /** Sent only when the model accepts sampling parameters (`capabilities.temperature`). */
  temperature?: number
}

/**
 * Token usage of one call. `inputTokens` counts the whole prompt, cached part included;
 * `cachedInputTokens` is the part read from the provider's prompt cache.
 */
export interface Usage {
  inputTokens: number
  outputTokens: number
  cachedInputTokens: number
  /** Hidden reasoning tokens, already included in `outputTokens`; 0 when not reported. */
  reasoningTokens: number
  /** True when the numbers were counted locally because the provider reported none. */
  estimated: boolean
}

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'other'

/**
 * The one event type everything above the adapters sees. A stream yields `text` events, then
 * `usage` (when the provider reports it) and `finish`; or it ends with a single `error`.
 */
export type ChatEvent =
  | { type: 'text'; text: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: FinishReason }
  | { type: 'error'; error: LlmError }

/** A whole (non-streamed) completion, normalised the same way as a stream. */
export interface ChatCompletion {
  text: string
  usage: Usage | null
  finishReason: FinishReason
}

/** The wire protocol a provider speaks; several providers may share one kind. */
export type ProviderKind = 'openai' | 'anthropic' | 'demo'

export interface ChatProvider {
  /** Provider id as used in `ModelSpec.provider` (`openai`, `anthropic`, `demo`, or a compatible endpoint's id). */
  readonly id: string
  readonly kind: ProviderKind
  /**
   * Streams one completion. Never throws: failures, including the caller's abort, arrive as a
   * final `error` event. Aborting `signal` cancels the upstream HTTP request.
   */
  stream(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatEvent>
  /** One buffered completion; rejects with an `LlmError`. */
  complete(request: ChatRequest, signal: AbortSignal): Promise<ChatCompletion>
}

export const emptyUsage = (): Usage => ({
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  reasoningTokens: 0,
  estimated: false,
})
