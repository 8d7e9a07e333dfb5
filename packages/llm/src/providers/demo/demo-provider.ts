import { abortedError } from '../../errors.ts'
import { sleep as realSleep, type Sleep } from '../../time.ts'
import { estimatePromptTokens } from '../../tokens/build-context.ts'
import { countEncodedTokens } from '../../tokens/count-tokens.ts'
import type { ChatCompletion, ChatEvent, ChatProvider, ChatRequest, Usage } from '../../types.ts'

export interface DemoProviderOptions {
  /** Reply pace; 0 streams everything at once. Defaults to 40 tokens/s, about a fast hosted model. */
  tokensPerSecond?: number
  /** Pause before the first token. Defaults to 400 ms. */
  firstTokenDelayMs?: number
  /** Injectable for tests. */
  sleep?: Sleep
  /** How to configure a real provider, in the words of the deployment (its variable names). */
  setupHint?: string
}

const defaultSetupHint =
  'To chat with a real model, set OPENAI_API_KEY or ANTHROPIC_API_KEY (or OPENAI_BASE_URL for a local OpenAI-compatible server such as Ollama, vLLM or LM Studio) in the API environment and restart Parley.'

const tokenizer = { tokenizer: { encoding: 'o200k_base', factor: 1 } } as const

/**
 * The demo reply: deterministic for a given last user message. The first reply of a conversation
 * explains the demo and how to configure a real provider; later ones do not repeat it.
 */
export function demoReply(
  request: Pick<ChatRequest, 'messages'>,
  setupHint = defaultSetupHint,
): string {
  const lastUser =
    request.messages.findLast((message) => message.role === 'user')?.content.trim() ?? ''
  const quoted = lastUser.length > 200 ? `${lastUser.slice(0, 200)}...` : lastUser
  const explained = request.messages.some((message) => message.role === 'assistant')
  return [
    ...(explained
      ? ['Demo model (no provider configured).']
      : [
          'This is the Parley demo model. No model provider is configured, so this reply comes from a built-in offline responder, not a language model.',
          setupHint,
        ]),
    quoted ? `You wrote: "${quoted}"` : '',
  ]
    .filter(Boolean)
    .join('\n\n')
}

/** Splits text into word-sized pieces that concatenate back to the original. */
export function textPieces(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : [])
}

/** Offline, deterministic provider: used only when no real provider is configured. */
export function createDemoProvider(options: DemoProviderOptions = {}): ChatProvider {
  const tokensPerSecond = options.tokensPerSecond ?? 40
  const firstTokenDelayMs = options.firstTokenDelayMs ?? 400
  const sleep = options.sleep ?? realSleep
  const setupHint = options.setupHint ?? defaultSetupHint

  const usageFor = (request: ChatRequest, reply: string): Usage => ({
    inputTokens: estimatePromptTokens(request.system, request.messages, tokenizer),
    outputTokens: countEncodedTokens(reply),
    cachedInputTokens: 0,
    reasoningTokens: 0,
    estimated: false,
  })

  return {
    id: 'demo',
    kind: 'demo',

    async *stream(request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatEvent> {
      const reply = demoReply(request, setupHint)
      await sleep(firstTokenDelayMs, signal)
      for (const [index, piece] of textPieces(reply).entries()) {
        if (index > 0 && tokensPerSecond > 0) await sleep(1000 / tokensPerSecond, signal)
        if (signal.aborted) {
          yield { type: 'error', error: abortedError('demo') }
          return
        }
        yield { type: 'text', text: piece }
      }
      yield { type: 'usage', usage: usageFor(request, reply) }
      yield { type: 'finish', reason: 'stop' }
    },

    async complete(request: ChatRequest, signal: AbortSignal): Promise<ChatCompletion> {
      if (signal.aborted) throw abortedError('demo')
      const reply = demoReply(request, setupHint)
      return { text: reply, usage: usageFor(request, reply), finishReason: 'stop' }
    },
  }
}
