import OpenAI from 'openai'
import type {
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions'
import type { CompletionUsage } from 'openai/resources/completions'
import type {
  ChatCompletion,
  ChatEvent,
  ChatProvider,
  ChatRequest,
  FinishReason,
  Usage,
} from '../../types.ts'
import { sdkErrorMapper } from '../sdk-errors.ts'
import { type StreamEnd, sdkStream } from '../sdk-stream.ts'

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1'

export interface OpenAIProviderOptions {
  /** Provider id; `openai` for the main endpoint, the endpoint's own id for compatible servers. */
  id?: string
  /** Local servers (Ollama, vLLM, LM Studio) need none. */
  apiKey?: string | undefined
  /** Ends in `/v1`; defaults to OpenAI's. */
  baseUrl?: string | undefined
  /**
   * OpenAI's reasoning models take `max_completion_tokens`; many compatible servers still read
   * only `max_tokens`. Defaults to the former for OpenAI itself and the latter elsewhere.
   */
  maxTokensParam?: 'max_completion_tokens' | 'max_tokens'
  /** Per-request ceiling the SDK enforces; the router's own timeouts are usually shorter. */
  timeoutMs?: number
}

export function createOpenAIProvider(options: OpenAIProviderOptions = {}): ChatProvider {
  const id = options.id ?? 'openai'
  const baseURL = options.baseUrl ?? OPENAI_DEFAULT_BASE_URL
  const maxTokensParam =
    options.maxTokensParam ?? (isOpenAI(baseURL) ? 'max_completion_tokens' : 'max_tokens')
  // Every option is explicit so the SDK reads nothing from the environment; the router is the only retry layer.
  const client = new OpenAI({
    apiKey: options.apiKey || 'not-needed',
    baseURL,
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    maxRetries: 0,
    timeout: options.timeoutMs ?? 600_000,
  })

  const params = (request: ChatRequest): ChatCompletionCreateParamsBase => {
    const messages: ChatCompletionMessageParam[] = []
    if (request.system) messages.push({ role: 'system', content: request.system })
    for (const message of request.messages) {
      messages.push({ role: message.role, content: message.content })
    }
    return {
      model: request.model,
      messages,
      ...(maxTokensParam === 'max_tokens'
        ? { max_tokens: request.maxOutputTokens }
        : { max_completion_tokens: request.maxOutputTokens }),
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    }
  }

  const toLlmError = sdkErrorMapper(id, OpenAI, (error) => error.code)

  return {
    id,
    kind: 'openai',

    stream(request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatEvent> {
      return sdkStream(
        async function* (): AsyncGenerator<ChatEvent, StreamEnd> {
          let finish: FinishReason | undefined
          let usage: Usage | null = null
          const chunks = await client.chat.completions.create(
            { ...params(request), stream: true, stream_options: { include_usage: true } },
            { signal },
          )
          for await (const chunk of chunks) {
            if (chunk.usage) usage = toUsage(chunk.usage)
            const choice = chunk.choices?.[0]
            const text = choice?.delta?.content
            if (text) yield { type: 'text', text }
            if (choice?.finish_reason) finish = toFinishReason(choice.finish_reason)
          }
          return { finish, usage }
        },
        { provider: id, signal, toLlmError },
      )
    },

    async complete(request: ChatRequest, signal: AbortSignal): Promise<ChatCompletion> {
      try {
        const response = await client.chat.completions.create(
          { ...params(request), stream: false },
          { signal },
        )
        const choice = response.choices[0]
        return {
          text: choice?.message.content ?? '',
          usage: response.usage ? toUsage(response.usage) : null,
          finishReason: toFinishReason(choice?.finish_reason ?? null),
        }
      } catch (error) {
        throw toLlmError(error, signal)
      }
    },
  }
}

function isOpenAI(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).hostname === 'api.openai.com'
  } catch {
    return false
  }
}

function toUsage(usage: CompletionUsage): Usage {
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    cachedInputTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
    estimated: false,
  }
}

function toFinishReason(reason: string | null): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop'
    case 'length':
      return 'length'
    case 'content_filter':
      return 'content_filter'
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls'
    default:
      return 'other'
  }
}
