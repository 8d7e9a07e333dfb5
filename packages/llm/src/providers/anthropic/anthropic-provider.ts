import Anthropic from '@anthropic-ai/sdk'
import type {
  Usage as AnthropicUsage,
  MessageCreateParamsBase,
  MessageDeltaUsage,
  MessageParam,
} from '@anthropic-ai/sdk/resources/messages'
import type {
  ChatCompletion,
  ChatEvent,
  ChatMessage,
  ChatProvider,
  ChatRequest,
  FinishReason,
  Usage,
} from '../../types.ts'
import { sdkErrorMapper } from '../sdk-errors.ts'
import { type StreamEnd, sdkStream } from '../sdk-stream.ts'

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com'

export interface AnthropicProviderOptions {
  id?: string
  apiKey: string
  /** The bare origin, without `/v1`. */
  baseUrl?: string | undefined
  timeoutMs?: number
}

/**
 * Anthropic wants strictly alternating turns that start with the user and no empty text, so
 * empty messages are skipped, consecutive same-role messages merged and leading assistant turns dropped.
 */
export function toAnthropicMessages(messages: readonly ChatMessage[]): MessageParam[] {
  const result: { role: 'user' | 'assistant'; content: string }[] = []
  for (const message of messages) {
    if (message.content.trim() === '') continue
    const last = result.at(-1)
    if (last && last.role === message.role) {
      last.content = `${last.content}\n\n${message.content}`
    } else if (last || message.role === 'user') {
      result.push({ role: message.role, content: message.content })
    }
  }
  return result
}

export function createAnthropicProvider(options: AnthropicProviderOptions): ChatProvider {
  const id = options.id ?? 'anthropic'
  // Explicit options only: the SDK must not pick credentials or a base URL from the environment.
  const client = new Anthropic({
    apiKey: options.apiKey,
    baseURL: options.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL,
    maxRetries: 0,
    timeout: options.timeoutMs ?? 600_000,
  })

  const params = (request: ChatRequest): MessageCreateParamsBase => ({
    model: request.model,
    max_tokens: request.maxOutputTokens,
    messages: toAnthropicMessages(request.messages),
    ...(request.system ? { system: request.system } : {}),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
  })

  const toLlmError = sdkErrorMapper(id, Anthropic, (error) => error.errorCode)

  return {
    id,
    kind: 'anthropic',

    stream(request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatEvent> {
      return sdkStream(
        async function* (): AsyncGenerator<ChatEvent, StreamEnd> {
          const usage = new UsageAccumulator()
          let finish: FinishReason | undefined
          let stopped = false
          const events = await client.messages.create(
            { ...params(request), stream: true },
            { signal },
          )
          for await (const event of events) {
            switch (event.type) {
              case 'message_start':
                usage.update(event.message.usage)
                break
              case 'content_block_delta':
                // Thinking, signature and tool deltas are not part of the visible reply.
                if (event.delta.type === 'text_delta' && event.delta.text) {
                  yield { type: 'text', text: event.delta.text }
                }
                break
              case 'message_delta':
                usage.update(event.usage)
                if (event.delta.stop_reason) finish = toFinishReason(event.delta.stop_reason)
                break
              case 'message_stop':
                stopped = true
                break
            }
          }
          return { finish: stopped ? (finish ?? 'other') : undefined, usage: usage.total() }
        },
        { provider: id, signal, toLlmError },
      )
    },

    async complete(request: ChatRequest, signal: AbortSignal): Promise<ChatCompletion> {
      try {
        const message = await client.messages.create(
          { ...params(request), stream: false },
          { signal },
        )
        let text = ''
        for (const block of message.content) if (block.type === 'text') text += block.text
        const usage = new UsageAccumulator()
        usage.update(message.usage)
        return {
          text,
          usage: usage.total(),
          finishReason: message.stop_reason ? toFinishReason(message.stop_reason) : 'other',
        }
      } catch (error) {
        throw toLlmError(error, signal)
      }
    },
  }
}

/**
 * Anthropic reports input at `message_start` and cumulative output at `message_delta`; its
 * `input_tokens` excludes cache reads and writes, which Parley's `inputTokens` includes.
 */
class UsageAccumulator {
  private input: number | undefined
  private cacheRead = 0
  private cacheWrite = 0
  private output = 0
  private reasoning = 0

  /** Later reports override earlier ones field by field; absent or null fields keep what was known. */
  update(usage: Partial<AnthropicUsage> | Partial<MessageDeltaUsage> | undefined): void {
    if (!usage) return
    this.input = usage.input_tokens ?? this.input
    this.cacheRead = usage.cache_read_input_tokens ?? this.cacheRead
    this.cacheWrite = usage.cache_creation_input_tokens ?? this.cacheWrite
    this.output = usage.output_tokens ?? this.output
    this.reasoning = usage.output_tokens_details?.thinking_tokens ?? this.reasoning
  }

  total(): Usage | null {
    if (this.input === undefined) return null
    return {
      inputTokens: this.input + this.cacheRead + this.cacheWrite,
      outputTokens: this.output,
      cachedInputTokens: this.cacheRead,
      reasoningTokens: this.reasoning,
      estimated: false,
    }
  }
}

function toFinishReason(reason: string): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop'
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length'
    case 'refusal':
      return 'content_filter'
    case 'tool_use':
      return 'tool_calls'
    default:
      return 'other'
  }
}
